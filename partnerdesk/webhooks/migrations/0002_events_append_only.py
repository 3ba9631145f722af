from django.db import migrations

from partnerdesk.core.append_only import make_append_only


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]
    operations = [make_append_only("webhooks_event")]
