# The table only: its triggers are (re)created after every migrate by
# agencies.apps._install_version_triggers (see agencies.versions).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_sign_in"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("agency_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
    ]
