"""French messages for pydantic's validation errors.

School portals show `details[].message` to their users, so it is French (our
own web front has its own message per field); API consumers keep pydantic's
stable `type` code and its English text (`message_en`).
"""
from __future__ import annotations

_FIXED = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Ce champ n'est pas attendu.",
    "string_type": "Une chaîne de caractères est attendue.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_type": "Un nombre est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "bool_type": "Une valeur vraie ou fausse (true/false) est attendue.",
    "bool_parsing": "Une valeur vraie ou fausse (true/false) est attendue.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "date_type": "Une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date valide au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "Une date sans heure (AAAA-MM-JJ) est attendue.",
    "datetime_type": "Une date et heure ISO 8601 est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "time_type": "Une heure au format HH:MM est attendue.",
    "time_parsing": "Une heure au format HH:MM est attendue.",
    "string_pattern_mismatch": "Le format de cette valeur est invalide.",
    "json_invalid": "Le JSON envoyé est invalide.",
    "value_error": "Cette valeur est invalide.",
    "assertion_error": "Cette valeur est invalide.",
    "enum": "Cette valeur ne fait pas partie des valeurs possibles.",
    "literal_error": "Cette valeur ne fait pas partie des valeurs possibles.",
    "union_tag_invalid": "Ce type n'est pas reconnu.",
    "string_unicode": "Le texte contient des caractères invalides.",
    "url_parsing": "Une adresse web valide est attendue.",
    "uuid_parsing": "Un identifiant valide est attendu.",
}

_WITH_LIMIT = {
    "string_too_short": ("min_length", "Au moins {} caractère(s)."),
    "string_too_long": ("max_length", "Au plus {} caractères."),
    "too_short": ("min_length", "Au moins {} élément(s)."),
    "too_long": ("max_length", "Au plus {} éléments."),
    "greater_than": ("gt", "La valeur doit être supérieure à {}."),
    "greater_than_equal": ("ge", "La valeur doit être supérieure ou égale à {}."),
    "less_than": ("lt", "La valeur doit être inférieure à {}."),
    "less_than_equal": ("le", "La valeur doit être inférieure ou égale à {}."),
}


def french(error_type: str, context: dict | None) -> str:
    """Our own validators raise ValueError with a French message: keep it."""
    own = (context or {}).get("error") if error_type == "value_error" else None
    if own is not None and str(own):
        text = str(own)
        return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    if error_type in _FIXED:
        return _FIXED[error_type]
    if error_type in _WITH_LIMIT:
        key, template = _WITH_LIMIT[error_type]
        limit = (context or {}).get(key)
        if limit is not None:
            return template.format(limit)
    return "Cette valeur est invalide."
