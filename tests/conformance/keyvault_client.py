"""Microsoft's azure-keyvault-secrets client reading what patwiz wrote into the emulated Key
Vault: the secret's value, its expiry (the vault's own `exp`) and its tags, and the vault's list;
then updating a version as patwiz does when it retires a replaced token (tags, then disabled),
and reading the disabled version back as the service answers it.

Run by tests/services/conformance.rs with VAULT_URL, CA (the vault's certificate), BEARER (the
access token the vault accepts) and NAME; prints one JSON object. Never prints the secret.
"""

import hashlib
import json
import os
import sys
import time

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.keyvault.secrets import SecretClient


class StaticCredential:
    """A credential that hands over the one token the emulated vault accepts."""

    def __init__(self, token):
        self.token = token
        self.scopes = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.extend(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


def main():
    credential = StaticCredential(os.environ["BEARER"])
    client = SecretClient(
        vault_url=os.environ["VAULT_URL"],
        credential=credential,
        # A loopback vault is not under vault.azure.net: the SDK's own option for that.
        verify_challenge_resource=False,
        connection_verify=os.environ["CA"],
    )
    name = os.environ["NAME"]
    secret = client.get_secret(name)
    listed = [p.name for p in client.list_properties_of_secrets()]
    version = secret.properties.version
    tags = dict(secret.properties.tags or {})
    tags["sdk_note"] = "kept"
    updated = client.update_secret_properties(name, version, tags=tags)
    client.update_secret_properties(name, version, enabled=False)
    try:
        client.get_secret(name, version)
        disabled = {"status": 200}
    except HttpResponseError as error:
        disabled = {"status": error.status_code, "text": str(error)}
    print(
        json.dumps(
            {
                "updated_tags": updated.tags,
                "disabled": disabled,
                "value_sha256": hashlib.sha256(secret.value.encode()).hexdigest(),
                "expires_on": secret.properties.expires_on.isoformat()
                if secret.properties.expires_on
                else None,
                "content_type": secret.properties.content_type,
                "tags": secret.properties.tags,
                "listed": listed,
                "scopes": credential.scopes,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
