"""What `prism templates docs` answers with `--output json` (`templates new` answers as
`templates info` does: the template it wrote).
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["DocsResult", "FormLink", "FormResult", "TemplateDoc"]


class TemplateDoc(BaseModel):
    template: str
    path: str


class DocsResult(BaseModel):
    docs: list[TemplateDoc]


class FormLink(BaseModel):
    url: str
    opened: bool


class FormResult(BaseModel):
    form: FormLink
