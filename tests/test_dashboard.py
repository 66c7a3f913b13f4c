"""The dashboard over HTTP: the numbers for a seeded list, the charts (SVG images with the same
numbers in tables), and a page the Content-Security-Policy allows (no inline style or script)."""

import datetime as dt
import html
import re

import pytest

from tracker import charts

PROFILE = {
    "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "225", "step2_attempts": "1",
    "step3": "", "graduation_year": "2023", "season_year": "2027", "usce_months": "3",
    "observership_months": "2", "us_letters": "2", "languages": "Spanish", "region_ties": "TX",
    "target_specialties": ["internal_medicine", "psychiatry"],
}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "usce_required": "no"}
PAST = dt.datetime(2026, 10, 20, 9, 0)


def text_of(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def table(page: str, table_id: str) -> str:
    return text_of(re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.DOTALL).group(0))


@pytest.fixture
def seeded(client, make_program):
    assert client.post("/profile", data=PROFILE).status_code == 302
    make_program(name="Toledo County IM", specialty="internal_medicine", setting="county", state="OH",
                 city="Toledo", status="will_apply", **LIKELY)
    make_program(name="Bronx Safety-net IM", specialty="internal_medicine", setting="safety_net", state="NY",
                 city="Bronx", status="applied", **LIKELY)
    make_program(name="Peoria Community IM", specialty="internal_medicine", setting="community", state="IL",
                 city="Peoria", status="interviewed", interview_date=PAST, **LIKELY)
    make_program(name="Dayton Community IM", specialty="internal_medicine", setting="community", state="OH",
                 city="Dayton", status="will_apply", **LIKELY)
    make_program(name="El Paso County Psychiatry", specialty="psychiatry", setting="county", state="TX",
                 city="El Paso", status="interview_invited", **{**LIKELY, "visa_j1": "unknown"})
    make_program(name="No J-1 County IM", specialty="internal_medicine", setting="county", state="MI",
                 city="Flint", status="applied", **{**LIKELY, "visa_j1": "no"})  # not eligible
    make_program(name="Still researching", specialty="internal_medicine", setting="county", state="OH",
                 city="Lima", status="researching", **LIKELY)
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_lists_numbers_against_the_advice(seeded):
    page = seeded
    stats = text_of(re.search(r'<dl class="stats">.*?</dl>', page, re.DOTALL).group(0))
    assert "On the list 5" in stats and "Applied 4" in stats
    assert "County / safety-net 60% goal 50–70%" in stats
    assert "J-1 confirmed 80% 1 unknown" in stats and "ERAS fees $55 5 programs" in stats

    targets = table(page, "targets-table")
    assert ("Internal Medicine 80–120 Step 2 CK 225: the usual range (county article). Step 2 CK 225 is inside the IM "
            "article's 225–230 band: some advise 120–150. 4 0 0 4 76 short of 80" in targets)
    assert "Psychiatry 60–100 A smaller specialty: fewer programs exist. 0 0 1 1 59 short of 60" in targets

    assert "3 of 5 programs are county or safety-net (60%): within the 50–70% goal." in text_of(page)
    shares = table(page, "shares-table")
    assert "J-1 sponsorship confirmed 4 80%" in shares and "J-1 sponsorship unknown 1 20%" in shares

    regions = table(page, "regions-table")
    assert "Midwest 3 60%" in regions and "South 1 20%" in regions and "Big coastal cities 1 20%" in regions


def test_the_page_shows_the_eras_fees_and_their_schedule(seeded):
    cost = table(seeded, "cost-table")
    assert "Programs 1–30 $11 each Programs 31 and up $30 each" in cost
    assert "Internal Medicine 4 $44 (4) — $44" in cost and "Psychiatry 1 $11 (1) — $11" in cost
    assert "Total 5 $55" in cost
    assert "ERAS 2026 season (AAMC)" in cost
    # 30 × $11 + 50 × $30 and 30 × $11 + 90 × $30
    assert "Internal Medicine, 80–120 programs: $1,830–$3,030" in text_of(seeded)


def test_the_funnel_by_tier_and_setting_with_its_definitions(seeded):
    by_tier = table(seeded, "funnel-tier")
    # The program that does not sponsor J-1 was applied to: the funnel counts it in its tier.
    assert "Likely 2 1 1 0 50%" in by_tier and "Reach 1 1 0 0 100%" in by_tier
    assert "Not eligible 1 0 0 0 0%" in by_tier and "All 4 2 1 0 50%" in by_tier
    by_setting = table(seeded, "funnel-setting")
    assert "County 2 1 0 0 50%" in by_setting and "Safety-net/public 1 0 0 0 0%" in by_setting
    page = text_of(seeded)
    assert "Invited Status Interview invited, Interview scheduled, Interviewed, Ranked, Matched;" in page
    assert "Withdrawn programs are left out." in page


def test_the_page_says_what_on_the_list_means_and_what_it_left_out(seeded):
    page = text_of(seeded)
    assert "On the list: A program is on the list when its status is Will apply or further along" in page
    assert "1 program you mean to apply or applied to is Not eligible and left out of these numbers" in page


def test_charts_are_svg_images_with_their_numbers_in_tables(seeded):
    svgs = re.findall(r"<svg\b[^>]*>", seeded)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and re.search(r'aria-label="[^"]{20,}"', svg)
    targets = re.search(r'<svg class="chart chart-targets"[^>]*aria-label="([^"]+)"', seeded).group(1)
    assert "Internal Medicine 4 on the list, advised 80–120 (Likely 4)" in html.unescape(targets)
    assert seeded.count('<table class="numbers') == 6


def test_the_page_has_no_inline_style_or_script(seeded, client):
    assert not re.search(r"<[^>]+\sstyle\s*=", seeded)
    assert "<style" not in seeded
    for tag in re.findall(r"<script\b[^>]*>", seeded):
        assert "src=" in tag
    assert "style-src 'self'" in client.get("/dashboard").headers["Content-Security-Policy"]


def test_an_empty_tracker_asks_for_the_profile_and_draws_no_chart(client):
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The advice needs your profile" in text_of(page)
    assert "No programs on the list yet." in text_of(page) and "<svg" not in page
    assert "Total" not in table(page, "cost-table")


def test_med_peds_without_a_categorical_list_is_flagged(client, make_program):
    client.post("/profile", data={**PROFILE, "target_specialties": ["med_peds"]})
    make_program(name="Med-Peds A", specialty="med_peds", setting="county", status="will_apply", **LIKELY)
    make_program(name="Med-Peds B", specialty="med_peds", setting="university", status="researching", **LIKELY)
    page = client.get("/dashboard").get_data(as_text=True)
    targets = table(page, "targets-table")
    assert "Med-Peds every eligible program (2)" in targets and "1 eligible program not on the list yet" in targets
    assert "add one to your target specialties" in text_of(page)


def test_no_visa_needed_says_sponsorship_does_not_matter(client, make_program):
    client.post("/profile", data={**PROFILE, "visa_needed": "none"})
    make_program(specialty="internal_medicine", setting="county", status="will_apply", **LIKELY)
    page = text_of(client.get("/dashboard").get_data(as_text=True))
    assert "You need no visa, so sponsorship does not matter." in page and "J-1 confirmed" not in page


def test_a_chart_escapes_its_text_and_styles_only_with_classes():
    svg = str(charts.bar_chart([charts.bar('<script>"x"</script>', 3, "c-likely"),
                                charts.Bar("Stacked", (charts.Segment(2, "c-likely", "Likely: 2"),
                                                       charts.Segment(1, "c-reach", "Reach: 1")), band=(2, 5))],
                               label='Tiers & "counts"'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="Tiers &amp; &#34;counts&#34;"' in svg and 'role="img"' in svg
    assert "style" not in svg
    assert svg.count('class="seg ') == 3 and 'class="band"' in svg and "<title>Reach: 1</title>" in svg
    with pytest.raises(ValueError):
        charts.bar_chart([charts.bar("x", 1, 'c" onload="alert(1)')], label="x")
    assert charts.bar_chart([], label="nothing") == ""


def test_a_backup_specialty_gets_a_smaller_range_and_the_advice_a_total_with_fees(client, app, make_program):
    data = {**PROFILE, "target_specialties": ["internal_medicine", "family_medicine"],
            "backup_specialties": ["family_medicine", "psychiatry"]}  # psychiatry is not a target: dropped
    assert client.post("/profile", data=data).status_code == 302
    with app.app_context():
        from tracker.models import Profile
        assert Profile.query.one().backup_specialties == ["family_medicine"]
    form = client.get("/profile").get_data(as_text=True)
    ticked = [tag for tag in re.findall(r'<input[^>]*name="backup_specialties"[^>]*>', form) if "checked" in tag]
    assert len(ticked) == 1 and 'value="family_medicine"' in ticked[0]
    make_program(name="Toledo County IM", specialty="internal_medicine", setting="county", status="will_apply",
                 **LIKELY)
    page = client.get("/dashboard").get_data(as_text=True)
    targets = table(page, "targets-table")
    assert "Internal Medicine 80–120" in targets
    assert "Family Medicine (backup) 40–60" in targets and "A backup specialty: 50% of the main range" in targets
    said = text_of(page)
    assert "Family Medicine (backup), 40–60 programs: $630–$1,230" in said
    assert "All together: 120–180 applications, $2,460–$4,260" in said
