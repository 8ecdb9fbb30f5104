"""Make someone a platform admin: the only way to get one, on purpose (no
HTTP route creates or promotes an admin, so a stolen admin token cannot
mint more admins).

    python scripts/create_admin.py --email ada@example.org            # promote an existing user
    python scripts/create_admin.py --email new@example.org \\
        --first-name Grace --last-name Hopper --birth-date 1980-01-01   # create (password prompted)
    python scripts/create_admin.py --email ada@example.org --revoke   # remove the role

Runs against the DynamoDB the environment names: DYNAMODB_ENDPOINT (the local
stack, `make run`, which prints the exact command; the local table prefix,
region and dummy credentials are then filled in) or real AWS with
TABLE_PREFIX=pix-<stage> and credentials.
The role reaches tokens at the user's next sign-in or refresh.
"""
from __future__ import annotations

import argparse
import os
import getpass
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--email", required=True)
    parser.add_argument("--first-name")
    parser.add_argument("--last-name")
    parser.add_argument("--birth-date", type=date.fromisoformat, help="AAAA-MM-JJ (création)")
    parser.add_argument("--password", help="création : sinon demandé au terminal")
    parser.add_argument("--revoke", action="store_true", help="retirer le rôle d'administrateur")
    args = parser.parse_args(argv)
    _local_defaults(os.environ)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from chalicelib.domain.errors import DomainError
    from chalicelib.services import accounts

    try:
        user = accounts.find_user_by_login(args.email)
        if user is None and args.revoke:
            print(f"Aucun compte pour {args.email}.", file=sys.stderr)
            return 1
        if user is None:
            if not (args.first_name and args.last_name and args.birth_date):
                parser.error("création : --first-name, --last-name et --birth-date sont requis")
            password = args.password or getpass.getpass("Mot de passe : ")
            user = accounts.register(first_name=args.first_name, last_name=args.last_name,
                                     email=args.email, password=password,
                                     birth_date=args.birth_date, accepted_terms=True)
            print(f"Compte créé pour {user.email}.")
        user = accounts.set_platform_admin(user.id, not args.revoke)
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 1
    state = "administrateur" if user.is_admin else "plus administrateur"
    print(f"{user.email} ({user.id}) est {state} de la plateforme.")
    return 0


def _local_defaults(environ) -> None:
    """Against `make run` (a DYNAMODB_ENDPOINT and no TABLE_PREFIX): the local stage's
    table prefix, region and the dummy credentials moto accepts."""
    if environ.get("DYNAMODB_ENDPOINT") and not environ.get("TABLE_PREFIX"):
        environ["TABLE_PREFIX"] = "pix-local"
        environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
        environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


if __name__ == "__main__":
    sys.exit(main())
