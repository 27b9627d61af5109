#!/usr/bin/env python3
"""Drives a running SmartAuth server with Authlib, an OAuth 2.0 client library nobody here wrote.

usage: authlib_client.py BASE_URL EMAIL PASSWORD

Signs up (plain requests), then uses Authlib's OAuth2Session for the password grant and the refresh_token
grant, calls /v1/userinfo with the token Authlib holds, checks that the old refresh token is refused after the
grace window has been disabled by the server configuration of the test, and exits 0 when every step behaved.
"""
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
token_url = base + "/v1/token"


def check(condition, message):
    if not condition:
        print("FAILED:", message, file=sys.stderr)
        sys.exit(1)


signup = requests.post(base + "/v1/signup", json={"email": email, "password": password}, timeout=10)
check(signup.status_code == 201, f"signup answered {signup.status_code}: {signup.text}")

# Discovery, as a client library would use it.
metadata = requests.get(base + "/.well-known/oauth-authorization-server", timeout=10).json()
check(metadata["token_endpoint"].endswith("/v1/token"), f"token_endpoint is {metadata.get('token_endpoint')}")
check("refresh_token" in metadata["grant_types_supported"], "refresh_token grant not advertised")

client = OAuth2Session(client_id="smartauth-e2e", token_endpoint_auth_method="none")
token = client.fetch_token(token_url, username=email, password=password, grant_type="password")
check(token["token_type"].lower() == "bearer", "token_type is not Bearer")
check("refresh_token" in token and "session_id" in token, "missing refresh_token or session_id")
first_refresh = token["refresh_token"]

me = client.get(base + "/v1/userinfo", timeout=10)
check(me.status_code == 200 and me.json()["email"] == email, f"userinfo answered {me.status_code}: {me.text}")

refreshed = client.refresh_token(token_url, refresh_token=first_refresh)
check(refreshed["refresh_token"] != first_refresh, "the refresh token did not rotate")
me = client.get(base + "/v1/userinfo", timeout=10)
check(me.status_code == 200, "userinfo with the refreshed token failed")

# The server under test runs with the grace window disabled: the old token is a replay and kills the session.
replay = requests.post(token_url, data={"grant_type": "refresh_token", "refresh_token": first_refresh}, timeout=10)
check(replay.status_code == 400 and replay.json()["error"] == "invalid_grant", f"replay answered {replay.status_code}")
me = client.get(base + "/v1/userinfo", timeout=10)
check(me.status_code == 401, f"the session survived a replay: {me.status_code}")

wrong = requests.post(token_url, data={"grant_type": "password", "username": email, "password": "wrong-password"}, timeout=10)
check(wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", "a wrong password was not invalid_grant")
print("authlib: password grant, refresh rotation, replay detection OK")
