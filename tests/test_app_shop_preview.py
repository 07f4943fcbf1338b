"""AppTest: the Shop page (search, filters, wishlist) and the Preview page (mock-up, webui, webui down)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from relookx import history
from relookx.config import Settings
from relookx.db import session_scope
from relookx.photos import add_upload, storage_for
from relookx.shop import wishlist
from tests.apphelpers import make_app, reset_streamlit_globals, texts
from tests.conftest import create_user
from tests.imagegen import make_outfit_photo, to_bytes
from tests.sd_server import SDServer
from tests.services import free_port


def page(data_dir: Path, user_id: int, path: str, **secrets: object):  # noqa: ANN201
    at = make_app(data_dir, user_id=user_id, **secrets).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def with_photo(db: Engine, data_dir: Path, name: str = "alice") -> int:
    uid = create_user(db, name)
    settings = Settings(data_dir=data_dir)
    add_upload(db, storage_for(settings), settings, user_id=uid, data=to_bytes(make_outfit_photo()), filename="a.jpg")
    return uid


def test_shop_search_filters_and_wishlist(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = page(data_dir, uid, "pages/shop.py")
    assert "demo products" in texts(at) and "Your wishlist is empty" in texts(at)
    at.text_input(key="shop_query").input("burgundy sweater")
    at.button(key="shop_search").click().run()
    assert not at.exception
    assert "products for “burgundy sweater”" in texts(at)
    total = int(next(c for c in texts(at).splitlines() if "products for" in c).split(" of ")[1].split()[0])
    at.checkbox(key="shop_in_stock").check().run()
    shown = int(next(c for c in texts(at).splitlines() if "products for" in c).split(" of ")[0])
    assert 0 < shown <= total
    save = next(b for b in at.button if b.key and b.key.startswith("shop_") and b.label == "Save")
    save.click().run()
    with session_scope(db) as s:
        [item] = wishlist.items(s, user_id=uid)
    at.run()
    assert at.button(key=f"wish_remove_{item.id}")
    at.button(key=f"wish_remove_{item.id}").click().run()
    with session_scope(db) as s:
        assert wishlist.items(s, user_id=uid) == []


def test_preview_needs_a_photo_then_mockup(data_dir: Path, db: Engine) -> None:
    at = page(data_dir, create_user(db, "nobody"), "pages/preview.py")
    assert "upload one on the Images page" in texts(at)
    uid = with_photo(db, data_dir)
    at = page(data_dir, uid, "pages/preview.py")
    assert "offline mock-ups" in texts(at)
    at.text_input(key="preview_piece").input("red beanie").run()
    at.button(key="preview_go").click().run()
    assert not at.exception
    assert "Red beanie** on image 1 · mock-up" in texts(at)  # in the gallery right away
    with session_scope(db) as s:
        [preview] = history.list_previews(s, user_id=uid)
    assert preview.backend == "mockup" and preview.piece["name"] == "Red beanie"
    at.switch_page("pages/images.py").run()  # the gallery shows on the Images page too
    assert "Previews of new pieces on your photos" in texts(at) and "Red beanie** on image 1" in texts(at)


def test_preview_by_the_webui_and_webui_down(data_dir: Path, db: Engine, sd_server: SDServer) -> None:
    uid = with_photo(db, data_dir)
    at = page(data_dir, uid, "pages/preview.py", RELOOKX_SD_URL=sd_server.url)
    assert "Previews by the Stable Diffusion webui" in texts(at)
    at.text_input(key="preview_piece").input("camel wool coat").run()
    at.button(key="preview_go").click().run()
    assert not at.exception
    with session_scope(db) as s:
        [preview] = history.list_previews(s, user_id=uid)
    assert preview.backend == "sd-webui" and preview.warnings == [] and sd_server.generations
    reset_streamlit_globals()
    at = page(data_dir, uid, "pages/preview.py", RELOOKX_SD_URL=f"http://127.0.0.1:{free_port()}")
    assert "cannot be reached" in texts(at)
    assert at.button(key="preview_go").disabled


def test_home_shows_the_tunnel_state(data_dir: Path, db: Engine) -> None:
    at = make_app(data_dir, user_id=create_user(db, "alice"), RELOOKX_SSH_HOST="gpu-gateway.example",
                  RELOOKX_SSH_USER="me", RELOOKX_ADMINS="alice").run()
    assert not at.exception
    assert "SD webui through the SSH tunnel via gpu-gateway.example (not started yet" in texts(at)


def test_preview_through_the_ssh_tunnel(data_dir: Path, db: Engine, sd_server: SDServer,
                                        paramiko_ssh_server) -> None:  # noqa: ANN001
    from relookx.preview.tunnel import stop_shared_tunnels

    uid = with_photo(db, data_dir)
    host, port = sd_server.url.removeprefix("http://").split(":")
    ssh = {"RELOOKX_SSH_HOST": "127.0.0.1", "RELOOKX_SSH_PORT": str(paramiko_ssh_server.port),
           "RELOOKX_SSH_USER": paramiko_ssh_server.user,
           "RELOOKX_SSH_KEY_PATH": str(paramiko_ssh_server.client_key_path),
           "RELOOKX_SSH_HOST_FINGERPRINT": paramiko_ssh_server.fingerprint,
           "RELOOKX_SSH_REMOTE_HOST": host, "RELOOKX_SSH_REMOTE_PORT": port, "RELOOKX_ADMINS": "alice"}
    try:
        at = page(data_dir, uid, "pages/preview.py", **ssh)
        assert "through the SSH tunnel via 127.0.0.1 (SSH tunnel up on 127.0.0.1:" in texts(at)
        at.text_input(key="preview_piece").input("red beanie").run()
        at.button(key="preview_go").click().run()
        assert not at.exception
        with session_scope(db) as s:
            [preview] = history.list_previews(s, user_id=uid)
        assert preview.backend == "sd-webui" and sd_server.generations
        at.switch_page("pages/home.py").run()
        assert "(SSH tunnel up on 127.0.0.1:" in texts(at)
    finally:
        stop_shared_tunnels()
