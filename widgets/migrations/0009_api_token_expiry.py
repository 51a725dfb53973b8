import datetime as dt

from django.db import migrations, models
from django.db.models import F

import widgets.models.counts

# Tokens made before expiry existed get the default one year from when they were made.
ONE_YEAR = dt.timedelta(days=365)


def expire_a_year_after_made(apps, schema_editor):
    ApiToken = apps.get_model("widgets", "ApiToken")
    ApiToken.objects.update(expires_at=F("created_at") + ONE_YEAR)


class Migration(migrations.Migration):
    dependencies = [
        ("widgets", "0008_widget_last_edited_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_a_year_after_made, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=widgets.models.counts.token_expiry),
        ),
    ]
