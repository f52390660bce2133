"""Microsoft's MSAL for Python, an independent client, against the emulator's Microsoft Entra:
the device-code flow, a refresh, and the access token accepted by the PAT lifecycle API.
Usage: msal_client.py ROOT TENANT ORG"""

import json, sys
import msal, requests

root, tenant, org = sys.argv[1], sys.argv[2], sys.argv[3]
https_root = root.replace("http://", "https://", 1)

class Loopback(requests.adapters.HTTPAdapter):
    """MSAL insists on an https authority; the emulator listens on plain loopback http."""
    def send(self, request, **kw):
        request.url = request.url.replace(https_root, root, 1)
        return super().send(request, **kw)

session = requests.Session()
session.mount("https://", Loopback())
app = msal.PublicClientApplication(
    "patwiz-msal-check",
    authority=f"{https_root}/idp/{tenant}",
    http_client=session,
    instance_discovery=False,
    validate_authority=False,
)
scopes = ["499b84ac-1321-427f-aa17-267ca6975798/vso.pats", "499b84ac-1321-427f-aa17-267ca6975798/vso.pats_manage"]
flow = app.initiate_device_flow(scopes=scopes)
assert "user_code" in flow, flow
# The person enters the code on the sign-in page.
requests.get(f"{root}/idp/device", params={"user_code": flow["user_code"]}).raise_for_status()
result = app.acquire_token_by_device_flow(flow)
assert "access_token" in result, {k: v for k, v in result.items() if "token" not in k}
pats = requests.get(
    f"{root}/_hosts/vssps/{org}/_apis/tokens/pats",
    params={"api-version": "7.1-preview.1"},
    headers={"Authorization": "Bearer " + result["access_token"], "X-TFS-FedAuthRedirect": "Suppress"},
)
assert pats.status_code == 200, pats.status_code
assert "patTokens" in pats.json()
refreshed = None
if result.get("refresh_token"):
    refreshed = app.acquire_token_by_refresh_token(result["refresh_token"], scopes=scopes)
    assert "access_token" in refreshed, {k: v for k, v in refreshed.items() if "token" not in k}
# The authorization-code flow with PKCE, MSAL's own verifier checked by the emulator: the
# "browser" follows the sign-in page to the redirect, and MSAL redeems the code.
from urllib.parse import parse_qsl, urlparse
code_flow = app.initiate_auth_code_flow(scopes, redirect_uri="http://localhost:8400")
page = requests.get(code_flow["auth_uri"].replace(https_root, root, 1), allow_redirects=False)
assert page.status_code == 302, page.status_code
answer = dict(parse_qsl(urlparse(page.headers["Location"]).query))
by_code = app.acquire_token_by_auth_code_flow(code_flow, answer)
assert "access_token" in by_code, {k: v for k, v in by_code.items() if "token" not in k}
print(json.dumps({"device_flow": "ok", "lifecycle_api": "ok", "refresh": "ok" if refreshed else "none", "auth_code_pkce": "ok"}))
