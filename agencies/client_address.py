"""The client's address as this deployment can trust it.

`TRUSTED_PROXY_COUNT` says how many proxies (load balancers) stand in front of
the app. With none, the address is the connection's (`REMOTE_ADDR`) and any
`X-Forwarded-For` a client sends is ignored. With N, the proxies' header is read
through django-ipware, strictly: it must hold exactly the client and the N-1
proxies before the last, else (a client that sent its own `X-Forwarded-For` in
front) the address is the connection's, the proxy's, so that a forged header
never buys a fresh address. django-axes (`AXES_CLIENT_IP_CALLABLE`), the sign-in
audit and the rate limits all ask here.
"""

from django.conf import settings
from ipware import get_client_ip

HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(request):
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0 or HEADER not in request.META:
        return remote
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=[HEADER],
        strict=True,
    )
    return address or remote
