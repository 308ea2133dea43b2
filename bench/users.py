"""The bench scripts' users: one per role, added through the services, found again on a rerun."""


def bench_users(prefix, wanted, *, workspace, proyecto):
    """{role: user} for `wanted` {role: (rol_global, workspace rol, proyecto rol)}.

    Each is `{prefix}-{n}@example.com`, created with these memberships (of `workspace`
    and `proyecto`) if it does not exist yet.
    """
    from accounts.models import User
    from accounts.services import create_user
    from proyectos.services import add_proyecto_member
    from workspaces.services import add_workspace_member

    users = {}
    for n, (role, (rol_global, ws_rol, proyecto_rol)) in enumerate(wanted.items()):
        email = f"{prefix}-{n}@example.com"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = create_user(email=email, nombre=role, password=None, rol_global=rol_global)
            if ws_rol:
                add_workspace_member(workspace=workspace, member=user, rol=ws_rol)
            if proyecto_rol:
                add_proyecto_member(proyecto=proyecto, member=user, rol=proyecto_rol)
        users[role] = user
    return users
