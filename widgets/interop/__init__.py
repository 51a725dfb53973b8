"""Interoperability: the layouts governments publish, in and out (docs/interop.md).

- `gc_layout`: the Government of Canada Service Inventory columns and codes;
- `gc_inventory`: import of a service inventory (preview, then all-or-nothing commit);
- `gc_export`: the catalogue, standards and yearly volumes in the same layout;
- `a11`: customer-experience results in the OMB Circular A-11 section 280 layout;
- `opendata`: everything on an agency's public page, as CSV and JSON.
"""
