"""`make run` prints one workbench sign-in link per demo staff member, the token in the fragment, and the
repair provider page with the labels of the keys that sign in there."""

from __future__ import annotations

from infra.local.demo import STAFF, provider_page_hints, sign_in_links


def test_one_link_per_staff_member_carrying_their_own_token_in_the_fragment():
    demo = {f"{role.value} token {user_id}": f"tok-{user_id}" for user_id, _name, role in STAFF}
    demo["storefront API key (X-Api-Key)"] = "ak_x"
    links = sign_in_links("http://127.0.0.1:3000/workbench/", demo)
    assert set(links) == {f"{role.value} {user_id}" for user_id, _name, role in STAFF}
    assert links["finance fin-zhao"] == "http://127.0.0.1:3000/workbench/#token=tok-fin-zhao"
    assert all("ak_x" not in link for link in links.values())


def test_the_provider_page_is_named_with_the_labels_of_the_repair_keys_and_never_a_key():
    demo = {"repair provider key Shanghai Home Fix (X-Api-Key; its offered jobs only)": "ak_provider",
            "repair technician key 王师傅 (tech-wang) of Shanghai Home Fix (X-Api-Key)": "ak_tech",
            "storefront API key (X-Api-Key)": "ak_shop"}
    page, keys = provider_page_hints("http://127.0.0.1:3000/workbench/", demo)
    assert page == "http://127.0.0.1:3000/workbench/provider.html"
    assert keys == list(demo)[:2]
    assert not any(secret in page or secret in " ".join(keys) for secret in demo.values())
