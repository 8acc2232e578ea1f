import pytest

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_portal_is(resident):
    response = resident.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Report police misconduct" in body
    assert "civilian body, separate from the police department" in body
    assert "How to file a complaint" in body
    assert 'lang="en"' in body


def test_home_page_in_spanish_after_switching_language(resident):
    response = resident.post("/i18n/setlang/", {"language": "es", "next": "/"}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert 'lang="es"' in body
    assert "Cómo presentar una queja" in body
    assert "How to file a complaint" not in body


def test_unknown_page_is_a_plain_404(resident):
    response = resident.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
