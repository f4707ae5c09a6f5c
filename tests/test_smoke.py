from click.testing import CliRunner

from pine_select.cli import main


def test_help_lists_validate() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "validate" in result.output
