"""Default focus questions per category (DESIGN.md §1 stage 1, "first classification")."""

from django.db import migrations

DEFAULTS = {
    "feature_optimisation": [
        ("哪些功能或页面用户抱怨最多？有没有用户反馈或工单数据？",
         "Which features or screens do users complain about most? Is there feedback or ticket data?"),
        ("现在有哪些使用数据（访问量、加载时间、流失率、转化率）？",
         "What usage data exists today (visits, load times, drop-off, conversion)?"),
        ("改好以后，用什么指标判断效果？目标值是多少？",
         "Once improved, which measure tells us it worked, and what target value?"),
        ("主要用户是谁？在什么设备和网络环境下使用？",
         "Who are the main users, and on which devices and networks?"),
    ],
    "architecture_refactoring": [
        ("现在系统最慢或最常出问题的是哪个环节？是所有功能还是特定模块？",
         "Where is the current system slowest or most fragile: everywhere or specific modules?"),
        ("问题是一直存在还是在高峰时段出现？高峰时有多少并发？",
         "Is it always so, or at peak hours? How much load at peak?"),
        ("最近有没有硬件升级、数据迁移或版本变更？",
         "Any recent hardware upgrade, data migration or release?"),
        ("改造期间业务能停多久？数据能否分批迁移？",
         "How much downtime can the business accept during the change? Can data move in stages?"),
    ],
    "new_technology": [
        ("项目交付后由谁来维护？贵方团队有没有相关技术经验？",
         "Who maintains it after delivery? Does your team have experience with this technology?"),
        ("希望新技术解决什么具体问题？不用它的话现在怎么做？",
         "What concrete problem should the new technology solve? How is it done today without it?"),
        ("是否需要我们提供培训或陪跑，时长多久？",
         "Do you need training or hand-holding from us, and for how long?"),
        ("数据能否提供给模型或第三方服务使用？有哪些合规要求？",
         "May the data be used by models or third-party services? Which compliance rules apply?"),
    ],
    "unclear": [
        ("现在遇到的最大问题是什么？能举一个最近发生的具体例子吗？",
         "What is the biggest problem today? Could you give a recent concrete example?"),
        ("这个问题不解决，会有什么影响？影响到谁？",
         "What happens if the problem stays unsolved, and who is affected?"),
        ("理想情况下，半年后是什么样子？",
         "Ideally, what does it look like six months from now?"),
    ],
}


def seed(apps, schema_editor):
    CategoryQuestion = apps.get_model("conversations", "CategoryQuestion")
    CategoryQuestion.objects.bulk_create(
        CategoryQuestion(category=category, text_zh=zh, text_en=en, order=(index + 1) * 10)
        for category, questions in DEFAULTS.items()
        for index, (zh, en) in enumerate(questions)
    )


def unseed(apps, schema_editor):
    apps.get_model("conversations", "CategoryQuestion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("conversations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
