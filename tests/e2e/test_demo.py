"""``ereg demo`` tells the activation story against a running stack."""

from starter import demo


async def test_demo_story_reaches_active(stack, capsys):
    await demo.run(str(stack.api.base_url), stack.settings)
    out = capsys.readouterr().out
    assert "awaiting_qualification" in out
    assert "1 waiting activation told" in out
    assert "SMS to " in out
    assert "verified → awaiting_institution" in out
    assert "→ active" in out
    assert "/workflows/activation-" in out
