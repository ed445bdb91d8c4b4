"""recording.xml_text: the stored text of a body, in the encoding its declaration names."""

import pytest

from autoreply.webhook.recording import xml_text


@pytest.mark.parametrize(
    "declaration",
    [
        '<?xml version="1.0" encoding="gbk"?>',
        '<?xml version="1.0" encoding = "gbk"?>',
        "<?xml version='1.0' encoding\t=\t'gbk'?>",
    ],
)
def test_a_declared_encoding_is_read_with_or_without_spaces(declaration: str) -> None:
    document = f"{declaration}<xml><Content>你好</Content></xml>"
    assert xml_text(document.encode("gbk")) == document
