"""Text that people type: the one rule for what the API accepts in names, reasons and messages.

`FreeText` (descriptions, reasons, replies, comments) may hold line breaks and tabs; `Label`
(single-line names and codes) may not. Neither may hold NUL or any other C0/C1 control character
(DEL included): they end up in e-mails, WeCom and Douyin messages, logs and PDFs, where they are
at best noise and at worst an injection. The rule is a `pattern`, so the OpenAPI document says
exactly what is refused and the refusal is a 422 with the field's path.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

FREE_TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"  # \t (09) and \n (0a) allowed
LABEL_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"


def free_text(max_length: int, min_length: int = 0) -> type[str]:
    """A multi-line text field of at most `max_length` characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=FREE_TEXT_PATTERN)]


def label(max_length: int, min_length: int = 0) -> type[str]:
    """A single-line text field of at most `max_length` characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=LABEL_PATTERN)]


Reason = free_text(2000)
Description = free_text(4000)


# A secret, token or key pasted from a provider's console (webhook signing secrets, app secrets):
# printable ASCII without spaces (U+0021..U+007E). Providers generate them from letters, digits and
# punctuation, so a blank, a space, a control or a zero-width character in one is a pasting
# accident that would make every signature fail (or, when empty, sign with no key at all). Written
# as a plain range so every reader of the OpenAPI document (Python's re, ECMA-262, Rust) agrees.
CREDENTIAL_PATTERN = r"^[!-~]*$"


def credential(max_length: int, min_length: int = 8) -> type[str]:
    """A signing secret, token or app key of `min_length`..`max_length` characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=CREDENTIAL_PATTERN)]
