from django.db import migrations, models

from partnerdesk.revisions import triggers


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("customers", "0003_search_trigram_index"),
        ("subscriptions", "0003_sub_reseller_all_newest"),
    ]
    operations = [
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("scope", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("number", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("number__gte", 1)), name="revision_number_positive")
                ]
            },
        ),
        triggers.make_triggers(triggers.FIRST_TABLES, with_function=True),
    ]
