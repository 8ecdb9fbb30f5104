"""Validation errors speak French to pupils, with pydantic's code and English text for API consumers."""
from __future__ import annotations

import datetime
import json

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chalicelib.api.errors import from_validation_error


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=5)
    birth_date: datetime.date
    count: int = Field(ge=0)

    @model_validator(mode="after")
    def _coherent(self):
        if self.name == "zz":
            raise ValueError("donnez un autre nom")
        return self


def details_of(payload: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(payload)
    response = from_validation_error(caught.value)
    assert response.status_code == 400
    return {d["field"]: d for d in json.loads(response.body)["error"]["details"]}


def test_each_detail_has_a_french_message_the_code_and_the_english_text():
    details = details_of({"name": "x", "birth_date": "2023-02-30", "count": -1, "extra": 1})
    assert details["name"]["message"] == "Au moins 2 caractère(s)."
    assert details["birth_date"]["message"] == "Une date valide au format AAAA-MM-JJ est attendue."
    assert details["count"]["message"] == "La valeur doit être supérieure ou égale à 0."
    assert details["extra"] == {"field": "extra", "type": "extra_forbidden",
                                "message": "Ce champ n'est pas attendu.",
                                "message_en": "Extra inputs are not permitted"}
    assert details_of({"birth_date": "2008-01-01", "count": 1})["name"]["message"] == "Ce champ est obligatoire."


def test_our_own_validators_keep_their_french_message():
    details = details_of({"name": "zz", "birth_date": "2008-01-01", "count": 1})
    assert [d["message"] for d in details.values()] == ["Donnez un autre nom."]
