"""QR codes are marked safe where they are made, so that templates need no |safe."""

from django.template import Context, Template

from vpcase import qr


def test_the_title_is_escaped_and_the_svg_renders_as_markup():
    svg = qr.svg("https://example.invalid/o/demo/", title='Scan <me> & "go"')
    rendered = Template("{{ svg }}").render(Context({"svg": svg}))
    assert rendered.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert '<title>Scan &lt;me&gt; &amp; "go"</title>' in rendered
    assert "<me>" not in rendered
