"""What a mouse does to the grid in the browser tests."""


def drag_column_edge(page, header, pixels: int) -> None:
    """Drag a grid header's right edge ``pixels`` to the right, as a mouse does, and wait until
    the server has kept the width (the grid posts it as the drag ends)."""
    handle = header.locator(".resize").bounding_box()
    page.mouse.move(handle["x"] + 3, handle["y"] + 10)
    page.mouse.down()
    page.mouse.move(handle["x"] + 3 + pixels, handle["y"] + 10, steps=5)
    with page.expect_response(lambda r: r.url.endswith("/layout") and r.status == 204):
        page.mouse.up()
