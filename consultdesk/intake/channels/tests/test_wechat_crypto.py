"""WXBizMsgCrypt against Tencent's, wechatpy's and the WeChat docs' published vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultdesk.intake.channels.wechat_crypto import (
    MAX_BODY_BYTES,
    DecryptError,
    MalformedPayload,
    ReceiverMismatch,
    SignatureMismatch,
    StaleRequest,
    WeChatCrypto,
    WeChatCryptoError,
    check_timestamp,
    parse_xml_fields,
    signature,
    verify_signature,
)

VECTORS_FILE = Path(__file__).parent / "data" / "wecom" / "wecom_vectors.json"
VECTORS: dict[str, dict[str, Any]] = {
    vector["id"]: vector for vector in json.loads(VECTORS_FILE.read_text("utf-8"))["vectors"]
}
SIGNED_VECTOR_IDS = sorted(
    name for name, vector in VECTORS.items() if "msg_signature" in vector.get("query", {})
)
# Every vector with a key, except the one that exists to fail its signature check.
DECRYPTABLE_VECTOR_IDS = sorted(
    name
    for name, vector in VECTORS.items()
    if "encoding_aes_key" in vector and vector["expected"].get("signature_valid", True)
)
# Their padding is longer than 16 bytes: a 16-byte PKCS#7 unpadder refuses them.
LONG_PADDING_VECTOR_IDS = [
    "wecom_official_decrypt_xml",
    "wecom_official_decrypt_json",
    "mp_doc_safe_mode_post",
]

# Tencent's WeCom sample app: CorpID wx5823bf96d3bd56c7.
CORP_TOKEN = "QDG6eK"
CORP_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"


def crypto_for(vector_id: str, **overrides: Any) -> WeChatCrypto:
    vector = VECTORS[vector_id]
    arguments = {
        "token": vector["token"],
        "encoding_aes_key": vector["encoding_aes_key"],
        "receiver_id": vector["receiveid"],
    } | overrides
    return WeChatCrypto(**arguments)


def encrypted_value(vector: dict[str, Any]) -> str:
    """The ciphertext a vector carries: echostr, the envelope's Encrypt, or the expected one."""
    if "echostr" in vector.get("query", {}):
        return str(vector["query"]["echostr"])
    if "body" in vector:
        envelope = vector["body"]
        if envelope.startswith("{"):
            parsed = json.loads(envelope)
            return str(parsed.get("Encrypt") or parsed["encrypt"])
        return parse_xml_fields(envelope)["Encrypt"]
    return str(vector["expected"]["encrypt"])


def reencrypted_ciphertext(crypto: WeChatCrypto, plaintext: bytes) -> str:
    """Encrypt raw bytes with the scheme's key and IV but no layout or padding of ours."""
    cipher = crypto._cipher()  # white-box: build ciphertexts the public API refuses to make
    encryptor = cipher.encryptor()
    return base64.b64encode(encryptor.update(plaintext) + encryptor.finalize()).decode()


def post_query(vector_id: str) -> dict[str, str]:
    query = VECTORS[vector_id]["query"]
    return {name: query[name] for name in ("msg_signature", "timestamp", "nonce")}


class TestConstruction:
    def test_it_accepts_a_43_character_encoding_aes_key(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        assert crypto.receiver_id == CORP_ID

    @pytest.mark.parametrize(
        ("key", "message"),
        [
            (CORP_KEY[:-1], "EncodingAESKey must be 43 characters, got 42"),
            (CORP_KEY + "A", "EncodingAESKey must be 43 characters, got 44"),
            ("!" * 43, "EncodingAESKey is not base64 (letters, digits, '+', '/')"),
        ],
    )
    def test_it_refuses_a_malformed_encoding_aes_key(self, key: str, message: str) -> None:
        with pytest.raises(ValueError) as refused:
            WeChatCrypto(CORP_TOKEN, key, CORP_ID)

        assert str(refused.value) == message

    def test_it_refuses_an_empty_receiver_id(self) -> None:
        with pytest.raises(ValueError, match="receiver_id"):
            WeChatCrypto(CORP_TOKEN, CORP_KEY, "")

    def test_it_keeps_token_and_key_out_of_its_repr(self) -> None:
        shown = repr(WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID))

        assert shown == "WeChatCrypto(receiver_id='wx5823bf96d3bd56c7')"


class TestSignature:
    def test_it_signs_the_sorted_concatenation(self) -> None:
        # sha1(b"123abcb"), computed outside this code.
        assert signature("b", "abc", "123") == "05a416bba6751f5c51b99666e2464be23a785c17"

    def test_it_matches_the_wecom_sample_msg_signature(self) -> None:
        vector = VECTORS["wecom_official_verify_url"]
        query = vector["query"]

        assert (
            signature(vector["token"], query["timestamp"], query["nonce"], query["echostr"])
            == query["msg_signature"]
        )

    @pytest.mark.parametrize("vector_id", ["mp_doc_url_verify", "mp_doc_plain_post"])
    def test_it_verifies_the_official_account_plain_signature(self, vector_id: str) -> None:
        vector = VECTORS[vector_id]
        query = vector["query"]

        assert verify_signature(
            query["signature"], vector["token"], query["timestamp"], query["nonce"]
        )

    def test_it_refuses_a_signature_off_by_one_character(self) -> None:
        query = VECTORS["mp_doc_plain_post"]["query"]
        tampered = query["signature"][:-1] + "0"

        assert not verify_signature(tampered, "AAAAA", query["timestamp"], query["nonce"])

    def test_it_refuses_a_non_ascii_signature_without_crashing(self) -> None:
        assert not verify_signature("签名", "AAAAA", "1", "2")


class TestPublishedVectors:
    @pytest.mark.parametrize("vector_id", SIGNED_VECTOR_IDS)
    def test_it_signs_every_vector_as_published(self, vector_id: str) -> None:
        vector = VECTORS[vector_id]
        query = vector["query"]
        expected_valid = vector["expected"]["signature_valid"]

        valid = verify_signature(
            query["msg_signature"],
            vector["token"],
            query["timestamp"],
            query["nonce"],
            encrypted_value(vector),
        )

        assert valid is expected_valid

    @pytest.mark.parametrize("vector_id", DECRYPTABLE_VECTOR_IDS)
    def test_it_decrypts_every_vector_for_its_receiver(self, vector_id: str) -> None:
        vector = VECTORS[vector_id]
        expected = vector["expected"]

        plaintext = crypto_for(vector_id).decrypt(encrypted_value(vector))

        if "plaintext_fields" in expected:  # wechatpy publishes only some fields
            fields = parse_xml_fields(plaintext)
            wanted = expected["plaintext_fields"]
            assert {name: fields[name] for name in wanted} == wanted
        else:
            assert plaintext == (
                expected.get("echostr_plain") or expected.get("plaintext") or vector["plaintext"]
            )

    @pytest.mark.parametrize("vector_id", LONG_PADDING_VECTOR_IDS)
    def test_it_accepts_the_32_byte_block_padding_of_the_official_vectors(
        self, vector_id: str
    ) -> None:
        vector = VECTORS[vector_id]
        crypto = crypto_for(vector_id)
        decryptor = crypto._cipher().decryptor()
        ciphertext = base64.b64decode(encrypted_value(vector))
        padding = (decryptor.update(ciphertext) + decryptor.finalize())[-1]

        plaintext = crypto.decrypt_message(body=vector["body"].encode(), **post_query(vector_id))

        assert padding > 16
        assert plaintext == vector["expected"]["plaintext"]

    @pytest.mark.parametrize(
        "vector_id",
        [
            "wechatpy_encrypt_message_fixed_random",
            "mp_official_aes_encrypt_1",
            "mp_official_aes_encrypt_2",
            "mp_doc_safe_mode_reply",
        ],
    )
    def test_it_encrypts_byte_for_byte_as_published_given_the_same_random(
        self, vector_id: str
    ) -> None:
        vector = VECTORS[vector_id]

        encrypted = crypto_for(vector_id).encrypt(
            vector["plaintext"], nonce_bytes=vector["random"].encode()
        )

        assert encrypted == vector["expected"]["encrypt"]

    def test_it_reproduces_the_safe_mode_post_from_its_random_prefix(self) -> None:
        vector = VECTORS["mp_doc_safe_mode_post"]
        expected = vector["expected"]

        encrypted = crypto_for("mp_doc_safe_mode_post").encrypt(
            expected["plaintext"], nonce_bytes=expected["random"].encode()
        )

        assert encrypted == encrypted_value(vector)
        assert len(expected["plaintext"].encode()) == expected["msg_len"]
        assert len(base64.b64decode(encrypted)) == expected["ciphertext_bytes"]


class TestUrlVerification:
    @pytest.mark.parametrize(
        ("vector_id", "plaintext"),
        [
            ("wecom_official_verify_url", "1616140317555161061"),
            ("wechatpy_check_signature_ok", "5927782489442352469"),
        ],
    )
    def test_it_returns_exactly_the_decrypted_echostr(self, vector_id: str, plaintext: str) -> None:
        query = VECTORS[vector_id]["query"]

        answer = crypto_for(vector_id).verify_url(
            msg_signature=query["msg_signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
            echostr=query["echostr"],
        )

        assert answer == plaintext

    def test_it_refuses_url_verification_with_a_changed_nonce(self) -> None:
        query = VECTORS["wechatpy_check_signature_bad_nonce"]["query"]

        with pytest.raises(SignatureMismatch):
            crypto_for("wechatpy_check_signature_bad_nonce").verify_url(
                msg_signature=query["msg_signature"],
                timestamp=query["timestamp"],
                nonce=query["nonce"],
                echostr=query["echostr"],
            )

    def test_it_echoes_the_official_account_echostr_unchanged(self) -> None:
        query = VECTORS["mp_doc_url_verify"]["query"]
        crypto = WeChatCrypto("AAAAA", "A" * 43, "wxba5fad812f8e6fb9")

        answer = crypto.verify_plain_url(
            signature=query["signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
            echostr=query["echostr"],
        )

        assert answer == "4375120948345356249"

    def test_it_refuses_an_official_account_check_with_a_wrong_token(self) -> None:
        query = VECTORS["mp_doc_url_verify"]["query"]
        crypto = WeChatCrypto("BBBBB", "A" * 43, "wxba5fad812f8e6fb9")

        with pytest.raises(SignatureMismatch):
            crypto.verify_plain_url(
                signature=query["signature"],
                timestamp=query["timestamp"],
                nonce=query["nonce"],
                echostr=query["echostr"],
            )


class TestDecryptMessage:
    def test_it_returns_the_inner_xml_of_the_wecom_sample_post(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]

        inner = crypto_for("wecom_official_decrypt_xml").decrypt_message(
            body=vector["body"].encode(), **post_query("wecom_official_decrypt_xml")
        )

        assert inner == vector["expected"]["plaintext"]

    def test_it_refuses_a_tampered_msg_signature(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        query = post_query("wecom_official_decrypt_xml") | {"msg_signature": "0" * 40}

        with pytest.raises(SignatureMismatch):
            crypto_for("wecom_official_decrypt_xml").decrypt_message(
                body=vector["body"].encode(), **query
            )

    def test_it_refuses_a_body_whose_ciphertext_was_swapped(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        other = VECTORS["wecom_official_verify_url"]["query"]["echostr"]
        body = vector["body"].replace(encrypted_value(vector), other)

        with pytest.raises(SignatureMismatch):
            crypto_for("wecom_official_decrypt_xml").decrypt_message(
                body=body.encode(), **post_query("wecom_official_decrypt_xml")
            )

    def test_it_refuses_a_message_for_another_corp(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        crypto = crypto_for("wecom_official_decrypt_xml", receiver_id="ww_another_corp")

        with pytest.raises(ReceiverMismatch) as refused:
            crypto.decrypt_message(
                body=vector["body"].encode(), **post_query("wecom_official_decrypt_xml")
            )

        assert str(refused.value) == (
            "message is for receiver 'wx5823bf96d3bd56c7', not 'ww_another_corp'"
        )

    def test_it_refuses_an_envelope_without_encrypt(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        with pytest.raises(MalformedPayload, match="no Encrypt"):
            crypto.decrypt_message(
                msg_signature="0" * 40, timestamp="1", nonce="2", body=b"<xml><A>1</A></xml>"
            )

    def test_it_refuses_a_doctype_before_checking_anything_else(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)
        body = (
            b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<xml><Encrypt>&x;</Encrypt></xml>"
        )

        with pytest.raises(MalformedPayload, match="DOCTYPE or ENTITY"):
            crypto.decrypt_message(msg_signature="0" * 40, timestamp="1", nonce="2", body=body)

    def test_it_refuses_an_oversized_body(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)
        body = b"<xml><Encrypt>" + b"A" * MAX_BODY_BYTES + b"</Encrypt></xml>"

        with pytest.raises(MalformedPayload) as refused:
            crypto.decrypt_message(msg_signature="0" * 40, timestamp="1", nonce="2", body=body)

        assert str(refused.value) == (
            f"body of {len(body)} bytes exceeds the {MAX_BODY_BYTES}-byte limit"
        )


class TestCorruptedCiphertext:
    @pytest.fixture
    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

    @pytest.mark.parametrize(
        ("ciphertext", "message"),
        [
            ("not base64!", "ciphertext is not valid base64"),
            ("密文", "ciphertext is not valid base64"),
            ("", "ciphertext of 0 bytes is not whole AES blocks"),
            ("AAAA", "ciphertext of 3 bytes is not whole AES blocks"),
        ],
    )
    def test_it_refuses_ciphertext_that_is_not_aes_blocks_of_base64(
        self, crypto: WeChatCrypto, ciphertext: str, message: str
    ) -> None:
        with pytest.raises(DecryptError) as refused:
            crypto.decrypt(ciphertext)

        assert str(refused.value) == message

    def test_it_refuses_a_flipped_last_block(self, crypto: WeChatCrypto) -> None:
        echostr = VECTORS["wecom_official_verify_url"]["query"]["echostr"]
        raw = bytearray(base64.b64decode(echostr))
        raw[-1] ^= 0x01  # the last block decrypts to garbage, so its padding breaks

        with pytest.raises(DecryptError):
            crypto.decrypt(base64.b64encode(bytes(raw)).decode())

    @pytest.mark.parametrize("pad", [0, 33, 255])
    def test_it_refuses_padding_values_outside_1_to_32(
        self, crypto: WeChatCrypto, pad: int
    ) -> None:
        ciphertext = reencrypted_ciphertext(crypto, b"x" * 31 + bytes([pad]))

        with pytest.raises(DecryptError) as refused:
            crypto.decrypt(ciphertext)

        assert str(refused.value) == "bad PKCS#7 padding (wrong key, or corrupted ciphertext)"

    def test_it_refuses_padding_whose_bytes_disagree(self, crypto: WeChatCrypto) -> None:
        ciphertext = reencrypted_ciphertext(crypto, b"x" * 29 + b"\x02\x03\x03")

        with pytest.raises(DecryptError, match="bad PKCS#7 padding"):
            crypto.decrypt(ciphertext)

    def test_it_refuses_a_length_field_that_overruns_the_data(self, crypto: WeChatCrypto) -> None:
        layout = b"r" * 16 + (1000).to_bytes(4, "big") + b"hi" + CORP_ID.encode()
        padded = layout + bytes([32 - len(layout) % 32]) * (32 - len(layout) % 32)

        with pytest.raises(DecryptError) as refused:
            crypto.decrypt(reencrypted_ciphertext(crypto, padded))

        assert str(refused.value) == "message length 1000 overruns the decrypted data"

    def test_it_refuses_a_message_that_is_not_utf8(self, crypto: WeChatCrypto) -> None:
        layout = b"r" * 16 + (2).to_bytes(4, "big") + b"\xff\xfe" + CORP_ID.encode()
        padded = layout + bytes([32 - len(layout) % 32]) * (32 - len(layout) % 32)

        with pytest.raises(DecryptError, match="not UTF-8"):
            crypto.decrypt(reencrypted_ciphertext(crypto, padded))

    def test_every_refusal_shares_one_base_class(self) -> None:
        for error in (SignatureMismatch, DecryptError, ReceiverMismatch, MalformedPayload):
            assert issubclass(error, WeChatCryptoError)


class TestRoundTrip:
    @given(text=st.text())
    def test_it_decrypts_what_it_encrypted(self, text: str) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        assert crypto.decrypt(crypto.encrypt(text)) == text

    @given(text=st.text(alphabet=st.sampled_from("需求摘要预算30万😀🚀 \n")))
    def test_it_round_trips_chinese_and_emoji_through_a_signed_reply(self, text: str) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)
        reply = crypto.encrypt_reply(text, timestamp="1700000000", nonce="abc123")
        fields = parse_xml_fields(reply)

        inner = crypto.decrypt_message(
            msg_signature=fields["MsgSignature"],
            timestamp=fields["TimeStamp"],
            nonce=fields["Nonce"],
            body=reply.encode(),
        )

        assert inner == text

    def test_it_uses_a_fresh_random_prefix_each_time(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        assert crypto.encrypt("hello") != crypto.encrypt("hello")

    def test_it_builds_the_reply_envelope_exactly_as_wechatpy_does(self) -> None:
        vector = VECTORS["wechatpy_encrypt_message_fixed_random"]

        reply = crypto_for("wechatpy_encrypt_message_fixed_random").encrypt_reply(
            vector["plaintext"],
            timestamp=vector["timestamp"],
            nonce=vector["nonce"],
            nonce_bytes=vector["random"].encode(),
        )

        assert reply == vector["expected"]["encrypted_xml"]

    def test_it_signs_the_sealed_reply_as_the_docs_do(self) -> None:
        vector = VECTORS["mp_doc_safe_mode_reply"]

        sealed = crypto_for("mp_doc_safe_mode_reply").seal(
            vector["plaintext"],
            timestamp=vector["timestamp"],
            nonce=vector["nonce"],
            nonce_bytes=vector["random"].encode(),
        )

        assert sealed.encrypt == vector["expected"]["encrypt"]
        assert sealed.msg_signature == vector["expected"]["msg_signature"]

    def test_it_refuses_a_reply_nonce_that_could_break_out_of_cdata(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        with pytest.raises(ValueError, match="nonce"):
            crypto.encrypt_reply("hi", timestamp="1", nonce="]]><x>")

    def test_it_refuses_a_random_prefix_of_the_wrong_length(self) -> None:
        crypto = WeChatCrypto(CORP_TOKEN, CORP_KEY, CORP_ID)

        with pytest.raises(ValueError, match="16 bytes"):
            crypto.encrypt("hi", nonce_bytes=b"short")


class TestFreshness:
    def test_it_accepts_a_timestamp_inside_the_window(self) -> None:
        check_timestamp("1700000000", now=1700000299, max_age_seconds=300)

    def test_it_refuses_a_replayed_timestamp(self) -> None:
        with pytest.raises(StaleRequest) as refused:
            check_timestamp("1700000000", now=1700000301, max_age_seconds=300)

        assert str(refused.value) == "timestamp 1700000000 is 301 s from now; at most 300 s"

    def test_it_refuses_a_timestamp_from_the_future(self) -> None:
        with pytest.raises(StaleRequest):
            check_timestamp("1700000400", now=1700000000, max_age_seconds=300)

    def test_it_refuses_a_timestamp_that_is_not_a_number(self) -> None:
        with pytest.raises(StaleRequest, match="not a whole number"):
            check_timestamp("yesterday", now=1700000000, max_age_seconds=300)

    def test_it_refuses_the_2014_sample_when_freshness_is_on(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        crypto = crypto_for("wecom_official_decrypt_xml", max_age_seconds=300)

        with pytest.raises(StaleRequest):
            crypto.decrypt_message(
                body=vector["body"].encode(), now=1764000000, **post_query(vector["id"])
            )

    def test_it_accepts_the_2014_sample_at_its_own_time(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        crypto = crypto_for("wecom_official_decrypt_xml", max_age_seconds=300)

        inner = crypto.decrypt_message(
            body=vector["body"].encode(), now=1409659900, **post_query(vector["id"])
        )

        assert inner == vector["expected"]["plaintext"]

    def test_it_demands_now_when_freshness_is_on(self) -> None:
        vector = VECTORS["wecom_official_decrypt_xml"]
        crypto = crypto_for("wecom_official_decrypt_xml", max_age_seconds=300)

        with pytest.raises(TypeError, match="now is required"):
            crypto.decrypt_message(body=vector["body"].encode(), **post_query(vector["id"]))


class TestSafeXml:
    @pytest.mark.parametrize(
        "xml",
        [
            '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml>&lol2;</xml>',
            '<!doctype xml SYSTEM "http://attacker.example/x.dtd"><xml/>',
            '<?xml version="1.0"?>\n<!DOCTYPE xml><xml><Content>x</Content></xml>',
        ],
    )
    def test_it_refuses_doctype_and_entity_declarations(self, xml: str) -> None:
        with pytest.raises(MalformedPayload) as refused:
            parse_xml_fields(xml)

        assert str(refused.value) == "XML with a DOCTYPE or ENTITY declaration is refused"

    def test_it_refuses_a_doctype_hidden_in_utf16(self) -> None:
        xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><xml/>'

        with pytest.raises(MalformedPayload, match="not UTF-8"):
            parse_xml_fields(xml.encode("utf-16"))

    def test_it_refuses_xml_that_is_not_well_formed(self) -> None:
        with pytest.raises(MalformedPayload, match="not well formed"):
            parse_xml_fields("<xml><Content>x</xml>")

    def test_it_strips_the_whitespace_pretty_printing_adds_around_cdata(self) -> None:
        fields = parse_xml_fields("<xml>\n<MsgType>\n<![CDATA[voice]]>\n</MsgType>\n</xml>")

        assert fields == {"MsgType": "voice"}
