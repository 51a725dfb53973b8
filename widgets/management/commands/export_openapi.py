"""`manage.py export_openapi > docs/api/openapi.json`: the API's OpenAPI schema.

docs/api/openapi.json is the committed copy; tests/widgets/test_api.py fails
when it differs from what /api/v1/schema serves.
"""

import json

from django.core.management.base import BaseCommand

from widgets.api.app import api


def schema_json():
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI schema of the API (/api/v1/schema) as JSON."

    def handle(self, *args, **options):
        self.stdout.write(schema_json(), ending="")
