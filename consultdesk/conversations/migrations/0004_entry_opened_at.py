from django.db import migrations, models


def opened_when_created(apps, schema_editor):
    """Notes saved before this field existed keep their order: opened when created."""
    MeetingEntry = apps.get_model("conversations", "MeetingEntry")
    MeetingEntry.objects.filter(opened_at__isnull=True).update(opened_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_entry_revision_edits"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingentry",
            name="opened_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(opened_when_created, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="meetingentry",
            options={
                "ordering": ["opened_at", "id"],
                "verbose_name": "meeting entry",
                "verbose_name_plural": "meeting entries",
            },
        ),
    ]
