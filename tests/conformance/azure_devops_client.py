"""Drive the patwiz emulator with Microsoft's own azure-devops client (7.1.0b4).

Usage: python azure_devops_client.py ORG_URL   (the token comes from the PATWIZ_TOKEN variable)

The client discovers everything the way the real service expects: resource areas, then
OPTIONS {host}/_apis for the API locations, then the call. Each step prints one line
"ok <name> <detail>" or "FAIL <name> <error>"; the exit status is the number of failures.
"""
import os
import sys
import traceback

from azure.devops.connection import Connection
from msrest.authentication import BasicAuthentication


def main():
    org_url = sys.argv[1]
    token = os.environ["PATWIZ_TOKEN"]
    connection = Connection(base_url=org_url, creds=BasicAuthentication("", token))
    clients = connection.clients_v7_1
    failures = 0

    def step(name, call, describe):
        nonlocal failures
        try:
            result = call()
            print(f"ok {name} {describe(result)}", flush=True)
            return result
        except Exception as error:  # report every failure, keep going
            failures += 1
            kind = type(error).__name__
            print(f"FAIL {name} {kind}: {error}", flush=True)
            traceback.print_exc(file=sys.stderr)
            return None

    location = connection.get_client("azure.devops.v7_1.location.location_client.LocationClient")
    data = step("connection_data", location.get_connection_data,
                lambda d: d.authenticated_user.provider_display_name)
    core = clients.get_core_client()
    projects = step("projects", core.get_projects, lambda ps: ",".join(p.name for p in ps))
    project = projects[0].name if projects else "Fabrikam Fiber"
    step("project", lambda: core.get_project(project), lambda p: p.name)
    step("teams", lambda: core.get_teams(project_id=projects[0].id if projects else project),
         lambda ts: ",".join(t.name for t in ts))
    step("all_teams", core.get_all_teams, lambda ts: str(len(ts)))
    git = clients.get_git_client()
    step("repositories", lambda: git.get_repositories(project=project),
         lambda rs: ",".join(r.name for r in rs))
    wit = clients.get_work_item_tracking_client()
    step("work_item_types", lambda: wit.get_work_item_types(project),
         lambda ts: ",".join(t.name for t in ts))
    step("relation_types", wit.get_relation_types, lambda ts: str(len(ts)))
    build = clients.get_build_client()
    step("build_definitions", lambda: build.get_definitions(project),
         lambda ds: ",".join(d.name for d in ds))
    endpoint = clients.get_service_endpoint_client()
    step("service_endpoint_types", endpoint.get_service_endpoint_types,
         lambda ts: ",".join(t.name for t in ts))
    agent = clients.get_task_agent_client()
    step("agent_pools", agent.get_agent_pools, lambda ps: ",".join(p.name for p in ps))
    identity = clients.get_identity_client()
    user_id = data.authenticated_user.id if data else ""
    step("identities", lambda: identity.read_identities(identity_ids=user_id),
         lambda ids: ",".join(i.provider_display_name for i in ids))
    entitlements = clients.get_member_entitlement_management_client()
    step("user_entitlement", lambda: entitlements.get_user_entitlement(user_id),
         lambda e: e.access_level.license_display_name)
    step("search_user_entitlements", entitlements.search_user_entitlements,
         lambda r: str(len(r.members)))
    return failures


if __name__ == "__main__":
    sys.exit(main())
