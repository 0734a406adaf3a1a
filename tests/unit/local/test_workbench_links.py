"""`make run` prints one workbench sign-in link per demo staff member, the token in the fragment."""

from __future__ import annotations

from infra.local.demo import STAFF, sign_in_links


def test_one_link_per_staff_member_carrying_their_own_token_in_the_fragment():
    demo = {f"{role.value} token {user_id}": f"tok-{user_id}" for user_id, _name, role in STAFF}
    demo["storefront API key (X-Api-Key)"] = "ak_x"
    links = sign_in_links("http://127.0.0.1:3000/workbench/", demo)
    assert set(links) == {f"{role.value} {user_id}" for user_id, _name, role in STAFF}
    assert links["finance fin-zhao"] == "http://127.0.0.1:3000/workbench/#token=tok-fin-zhao"
    assert all("ak_x" not in link for link in links.values())
