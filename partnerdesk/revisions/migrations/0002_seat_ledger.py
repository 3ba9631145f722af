from django.db import migrations

from partnerdesk.revisions import triggers


class Migration(migrations.Migration):
    dependencies = [("revisions", "0001_initial"), ("subscriptions", "0003_sub_reseller_all_newest")]
    operations = [triggers.make_triggers(["subscriptions_seatledgerentry"])]
