"""The token API for systems that already count, and the pages where managers make its tokens."""
