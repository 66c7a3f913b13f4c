"""The dashboard's arithmetic (tracker.guidance, tracker.regions), without Flask: the advised
number of applications for each profile case in DOMAIN.md, ERAS fees across the fee bands,
the county / safety-net and visa shares, the regional spread and the funnel."""

import datetime as dt

import pytest

from tracker import guidance, regions
from tracker.rules import Rules

TODAY = dt.date(2026, 12, 15)


def profile(specialties, step2_ck=225, step1_attempts=1, step2_attempts=1, visa="J-1"):
    return {"target_specialties": specialties, "step2_ck": step2_ck, "step1_attempts": step1_attempts,
            "step2_attempts": step2_attempts, "visa_needed": visa}


def program(status="will_apply", tier="likely", **values):
    return {"status": status, "tier": tier, "tier_override": None, "specialty": "internal_medicine",
            "setting": "community", "state": "OH", "city": "Toledo", "visa_j1": "yes", "visa_h1b": "no",
            "interview_date": None, **values}


# -- How many applications --------------------------------------------------------------

@pytest.mark.parametrize(("case", "me", "specialty", "advised"), [
    ("IM, Step 2 CK 225", profile(["internal_medicine"], 225), "internal_medicine", (80, 120)),
    ("FM, Step 2 CK exactly on the line", profile(["family_medicine"], 220), "family_medicine", (80, 120)),
    ("IM, Step 2 CK 220: below the IM article's 225", profile(["internal_medicine"], 220), "internal_medicine",
     (120, 150)),
    ("IM, Step 2 CK 224", profile(["internal_medicine"], 224), "internal_medicine", (120, 150)),
    ("IM, Step 2 CK 219: the county article's wider range", profile(["internal_medicine"], 219),
     "internal_medicine", (120, 160)),
    ("IM, Step 2 CK 215", profile(["internal_medicine"], 215), "internal_medicine", (120, 160)),
    ("IM, 230 but two Step 2 CK attempts", profile(["internal_medicine"], 230, step2_attempts=2),
     "internal_medicine", (120, 160)),
    ("IM, 230 but two Step 1 attempts", profile(["internal_medicine"], 230, step1_attempts=2),
     "internal_medicine", (120, 160)),
    ("FM, Step 2 CK 240", profile(["family_medicine"], 240), "family_medicine", (80, 120)),
    ("Pediatrics, Step 2 CK 210", profile(["pediatrics"], 210), "pediatrics", (120, 160)),
    ("Psychiatry", profile(["psychiatry"], 215), "psychiatry", (60, 100)),
    ("Neurology", profile(["neurology"], 230), "neurology", (60, 100)),
    ("Pathology", profile(["pathology"], 205, step2_attempts=3), "pathology", (60, 100)),
])
def test_the_advised_number_of_applications_follows_the_profile(case, me, specialty, advised):
    (target,) = guidance.application_targets(me, Rules())
    assert (target.specialty, target.low, target.high) == (specialty, *advised), case


def test_an_im_score_inside_the_225_230_band_keeps_the_usual_range_and_names_the_wider_one():
    for score in (225, 229):
        (target,) = guidance.application_targets(profile(["internal_medicine"], score), Rules())
        assert (target.low, target.high) == (80, 120)
        assert "inside the IM article's 225–230 band: some advise 120–150" in target.why
    (target,) = guidance.application_targets(profile(["internal_medicine"], 230), Rules())
    assert "band" not in target.why


@pytest.mark.parametrize(("specialty", "experience", "advised", "article"), [
    ("internal_medicine", ["border"], (80, 120), "border article"),
    ("family_medicine", ["border"], (80, 120), "border article"),
    ("pediatrics", ["border"], (80, 120), "county article"),  # the border range is for IM and FM
    ("family_medicine", ["global_health"], (80, 150), "global health article"),
    ("pediatrics", ["global_health", "border"], (80, 150), "global health article"),
])
def test_border_and_global_health_experience_gives_their_articles_ranges(specialty, experience, advised, article):
    me = {**profile([specialty], 235), "mission_experience": experience}
    (target,) = guidance.application_targets(me, Rules())
    assert (target.low, target.high) == advised
    assert target.why.split(" Also:")[0].endswith(f"({article}).")


def test_a_low_score_keeps_the_wider_range_over_a_strategy_range():
    me = {**profile(["family_medicine"], 210), "mission_experience": ["global_health"]}
    (target,) = guidance.application_targets(me, Rules())
    assert (target.low, target.high) == (120, 160)
    assert "Also: Your global health work" in target.why


def test_the_strategy_ranges_are_rules_the_user_can_change():
    me = {**profile(["internal_medicine"], 240), "mission_experience": ["global_health"]}
    (target,) = guidance.application_targets(me, Rules(global_health_apps_min=90, global_health_apps_max=170))
    assert (target.low, target.high) == (90, 170)
    (target,) = guidance.application_targets(profile(["internal_medicine"], 226), Rules(im_low_step2_line=228))
    assert (target.low, target.high) == (120, 150)


def test_med_peds_is_every_eligible_program_whatever_its_status():
    programs = [
        program(specialty="med_peds", tier="likely", status="researching"),
        program(specialty="med_peds", tier="possible"),
        program(specialty="med_peds", tier="reach", status="applied"),
        program(specialty="med_peds", tier="not_eligible"),
        program(specialty="internal_medicine"),
    ]
    rows = guidance.specialty_progress(programs, profile(["med_peds", "internal_medicine"]), Rules())
    med_peds = rows[0]
    assert (med_peds.specialty, med_peds.target.low, med_peds.target.high) == ("med_peds", 3, None)
    assert med_peds.total == 2 and med_peds.status == "short"
    assert med_peds.verdict == "1 eligible program not on the list yet"
    assert "every eligible program (3)" == med_peds.advised


def test_med_peds_every_eligible_leaves_out_unknown_sponsorship_and_low_img_presence():
    counted = [program(specialty="med_peds", visa_j1="yes", img_percent=40),
               program(specialty="med_peds", visa_j1="yes", img_percent=None),  # unknown IMG data: to research
               program(specialty="med_peds", visa_j1="yes", img_percent=2, non_us_img_count=3)]
    left_out = [program(specialty="med_peds", visa_j1="unknown", img_percent=40),
                program(specialty="med_peds", visa_j1="no", visa_h1b="yes", img_percent=40),  # needs J-1
                program(specialty="med_peds", visa_j1="yes", img_percent=2),
                program(specialty="med_peds", visa_j1="yes", img_percent=40, non_us_img_count=0)]
    rows = guidance.specialty_progress(counted + left_out, profile(["med_peds", "pediatrics"]), Rules())
    assert rows[0].target.low == 3
    either = {**profile(["med_peds", "pediatrics"]), "visa_needed": "either"}
    assert guidance.specialty_progress(counted + left_out, either, Rules())[0].target.low == 4  # H-1B counts


def test_med_peds_alone_asks_for_a_categorical_backup():
    assert guidance.needs_categorical_backup(profile(["med_peds"]))
    assert not guidance.needs_categorical_backup(profile(["med_peds", "pediatrics"]))
    assert not guidance.needs_categorical_backup(profile(["internal_medicine"]))


def test_progress_counts_the_list_by_tier_and_says_how_far_from_the_advice():
    programs = (
        [program(tier="likely")] * 50 + [program(tier="possible")] * 20 + [program(tier="reach")] * 5
        + [program(tier=None)]  # not tiered yet
        + [program(tier="likely", status="researching"), program(tier="likely", status="withdrawn"),
           program(tier="not_eligible"), program(tier="likely", tier_override="not_eligible")]
        + [program(specialty="transitional_year")] * 2
    )
    rows = guidance.specialty_progress(programs, profile(["internal_medicine"], 225), Rules())
    im, other = rows
    assert im.by_tier == {"likely": 50, "possible": 20, "reach": 5, "untiered": 1}
    assert (im.total, im.status, im.verdict) == (76, "short", "4 short of 80")
    assert (other.specialty, other.target, other.total, other.status) == ("transitional_year", None, 2, "none")


@pytest.mark.parametrize(("listed", "status"), [(79, "short"), (80, "within"), (120, "within"), (121, "above")])
def test_progress_status_at_the_ends_of_the_range(listed, status):
    rows = guidance.specialty_progress([program()] * listed, profile(["internal_medicine"], 225), Rules())
    assert rows[0].status == status


def test_a_program_the_user_set_to_a_tier_counts_in_that_tier():
    p = program(tier="not_eligible", tier_override="possible")
    assert guidance.is_on_list(p)
    rows = guidance.specialty_progress([p], profile(["internal_medicine"]), Rules())
    assert rows[0].by_tier["possible"] == 1


def test_the_on_list_definition_names_the_statuses_it_leaves_out():
    text = guidance.on_list_definition()
    assert "Will apply" in text and "not Researching or Withdrawn" in text and "Not eligible" in text
    assert not guidance.is_on_list(program(status="researching"))
    assert not guidance.is_on_list(program(status="withdrawn"))
    assert guidance.is_on_list(program(status="rejected"))  # an application that was sent and paid for
    assert [p["status"] for p in guidance.left_off_list([program(tier="not_eligible", status="applied"),
                                                         program(tier="not_eligible", status="researching")])] \
        == ["applied"]


# -- ERAS fees --------------------------------------------------------------------------

# The AAMC's 2026 schedule: programs 1-30 of a specialty $11 each, from the 31st $30 each.
@pytest.mark.parametrize(("programs", "fee"), [
    (0, 0), (1, 11), (29, 319), (30, 330), (31, 360), (32, 390), (43, 720),
])
def test_eras_fees_across_the_fee_bands(programs, fee):
    assert guidance.eras_fee(programs, Rules()) == fee
    cost = guidance.eras_cost({"internal_medicine": programs}, Rules())
    assert cost.total == fee and cost.programs == programs


@pytest.mark.parametrize(("counts", "total"), [
    ({"emergency_medicine": 30}, 330),
    ({"internal_medicine": 43, "radiology": 7}, 30 * 11 + 13 * 30 + 7 * 11),  # $797
    ({"internal_medicine": 32, "emergency_medicine": 32}, 780),
], ids=["30 EM", "43 IM + 7 Radiology", "32 IM + 32 EM"])
def test_the_aamc_examples_for_the_2026_season(counts, total):
    assert guidance.eras_cost(counts, Rules()).total == total


def test_each_specialty_is_billed_on_its_own():
    cost = guidance.eras_cost({"internal_medicine": 43, "psychiatry": 7}, Rules())
    assert [(line.specialty, line.programs, line.total) for line in cost.lines] == [
        ("internal_medicine", 43, 720), ("psychiatry", 7, 77)]
    assert cost.total == 797  # not 30 * 11 + 20 * 30 = 930 for 50 programs of one specialty
    assert cost.season == Rules().eras_fee_season == "ERAS 2026 season (AAMC)"


def test_the_fee_bands_say_how_many_programs_each_one_bills():
    bands = guidance.fee_bands(45, Rules())
    assert [(b.label, b.programs, b.cost) for b in bands] == [("1–30", 30, 330), ("31 and up", 15, 450)]
    assert [b.price_text for b in bands] == ["$11 each", "$30 each"]
    assert [(b.label, b.programs) for b in guidance.fee_bands(12, Rules())] == [("1–30", 12), ("31 and up", 0)]


def test_the_fees_are_rules_the_user_can_change():
    rules = Rules(eras_fee_bands=[[1, 12], [21, 25], [41, 32]], eras_fee_season="ERAS 2027")
    assert guidance.eras_fee(45, rules) == 20 * 12 + 20 * 25 + 5 * 32
    assert [b.label for b in guidance.fee_bands(0, rules)] == ["1–20", "21–40", "41 and up"]
    assert guidance.eras_cost({"pediatrics": 1}, rules).season == "ERAS 2027"
    assert guidance.eras_fee(100, Rules(eras_fee_bands=[[1, 0]])) == 0


def test_no_programs_cost_nothing():
    assert guidance.eras_cost({}, Rules()).total == 0
    assert guidance.eras_cost({"psychiatry": 0}, Rules()).lines == ()


# -- County / safety-net share ----------------------------------------------------------

def test_county_share_counts_only_the_list_against_the_goal():
    programs = (
        [program(setting="county")] * 2 + [program(setting="safety_net")] + [program(setting="community")] * 3
        + [program(setting=None)]
        + [program(setting="county", status="researching"), program(setting="county", status="withdrawn"),
           program(setting="county", tier="not_eligible")]
    )
    share = guidance.county_share(programs, Rules())
    assert (share.count, share.total, share.percent, share.status) == (3, 7, 43, "below")
    assert share.needed == 1  # 4 of 8 is 50%


@pytest.mark.parametrize(("county", "other", "status", "needed"), [
    (2, 8, "below", 6), (5, 5, "within", 0), (7, 3, "within", 0), (8, 2, "above", 0), (0, 0, "empty", 0),
])
def test_county_share_against_the_50_to_70_percent_goal(county, other, status, needed):
    programs = [program(setting="county")] * county + [program(setting="university")] * other
    share = guidance.county_share(programs, Rules())
    assert (share.status, share.needed) == (status, needed)


def test_county_settings_and_goal_are_rules():
    programs = [program(setting="county"), program(setting="fqhc"), program(setting="community")] * 2
    rules = Rules(county_settings=["county", "fqhc"], county_share_min=60, county_share_max=80)
    share = guidance.county_share(programs, rules)
    assert (share.count, share.total, share.status, share.low, share.high) == (4, 6, "within", 0.6, 0.8)


# -- Visa sponsorship -------------------------------------------------------------------

def test_visa_share_reads_the_column_of_the_visa_the_profile_needs():
    programs = [program(visa_j1="yes", visa_h1b="no"), program(visa_j1="yes", visa_h1b="unknown"),
                program(visa_j1="unknown", visa_h1b="yes"), program(visa_j1=None, visa_h1b="yes"),
                program(visa_j1="yes", visa_h1b="yes", status="researching")]
    j1 = guidance.visa_confirmed_share(programs, profile([], visa="J-1"))
    assert (j1.visa, j1.yes, j1.unknown, j1.no, j1.confirmed.percent) == ("J-1", 2, 2, 0, 50)
    h1b = guidance.visa_confirmed_share(programs, profile([], visa="H-1B"))
    assert (h1b.yes, h1b.unknown, h1b.no, h1b.confirmed.percent) == (2, 1, 1, 50)


def test_visa_share_does_not_apply_without_a_visa_need():
    for visa in ("none", None):
        share = guidance.visa_confirmed_share([program()], profile([], visa=visa))
        assert not share.applies and share.total == 0
    assert not guidance.visa_confirmed_share([program()], None).applies


# -- Regions ----------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "city", "group"), [
    ("OH", "Toledo", "midwest"), ("TX", "El Paso", "south"), ("PA", "Erie", "northeast"),
    ("NY", "Buffalo", "northeast"), ("NY", "Bronx", "big_coastal"), ("NY", "NEW YORK", "big_coastal"),
    ("NY", None, "northeast"), ("NJ", "Newark", "big_coastal"), ("NJ", "Camden", "northeast"),
    ("CA", "Fresno", "west"), ("CA", "Los Angeles", "big_coastal"), ("CA", "San Francisco", "big_coastal"),
    ("MA", "Worcester", "northeast"), ("MA", "Boston", "big_coastal"), ("DC", "Washington", "big_coastal"),
    ("DC", None, "big_coastal"), ("FL", "Miami", "big_coastal"), ("FL", "Tampa", "south"),
    ("WA", "Yakima", "west"), ("PR", "San Juan", "other"), (None, "Toledo", "unknown"),
])
def test_each_program_falls_in_one_region_group(state, city, group):
    assert regions.spread_group(state, city) == group


def test_every_state_has_a_census_region():
    from tracker.fields import US_STATES
    assert {code for code, _ in US_STATES} - set(regions.REGION_OF_STATE) == {"PR"}


def test_regional_spread_of_the_list():
    programs = [program(state="OH", city="Toledo"), program(state="TX", city="Laredo"),
                program(state="PA", city="Scranton"), program(state="CA", city="Stockton"),
                program(state="NY", city="Brooklyn"), program(state="NY", city="Brooklyn"),
                program(state="NY", city="Bronx", status="researching")]
    spread = guidance.regional_spread(programs)
    assert spread.total == 6
    assert (spread.counts["midwest"], spread.counts["south"], spread.counts["northeast"], spread.counts["west"],
            spread.counts["big_coastal"]) == (1, 1, 1, 1, 2)
    assert (spread.favoured.count, spread.favoured.percent, spread.coastal.percent) == (3, 50, 33)
    assert [key for key, *_ in spread.rows()] == ["midwest", "south", "northeast", "west", "big_coastal"]


# -- The funnel -------------------------------------------------------------------------

PAST = dt.datetime(2026, 11, 3, 9, 0)
FUTURE = dt.datetime(2027, 1, 20, 9, 0)


@pytest.mark.parametrize(("status", "interview", "stages"), [
    ("researching", None, ""),
    ("will_apply", None, ""),
    ("applied", None, "A"),
    ("interview_invited", None, "AI"),
    ("interview_scheduled", FUTURE, "AI"),
    ("interviewed", PAST, "AIV"),
    ("waitlisted", None, "A"),  # an interview waitlist
    ("waitlisted", PAST, "AIV"),
    ("waitlisted", FUTURE, "AI"),
    ("rejected", None, "A"),
    ("rejected", PAST, "AIV"),
    ("withdrawn", PAST, ""),
    ("ranked", PAST, "AIVR"),
    ("matched", PAST, "AIVR"),
])
def test_each_status_reaches_its_funnel_stages(status, interview, stages):
    f = guidance.funnel([program(status=status, interview_date=interview)], today=TODAY)
    letters = {"applied": "A", "invited": "I", "interviewed": "V", "ranked": "R"}
    assert "".join(letters[k] for k, n in f.total.counts.items() if n) == stages


def test_the_funnel_by_tier_and_by_setting():
    programs = [
        program(status="applied", tier="likely", setting="county"),
        program(status="interview_invited", tier="likely", setting="county"),
        program(status="ranked", tier="likely", setting="community", interview_date=PAST),
        program(status="applied", tier="reach", setting="university"),
        program(status="interviewed", tier="reach", setting=None, interview_date=PAST),
        program(status="will_apply", tier="possible", setting="county"),  # not applied: no row
    ]
    by_tier = guidance.funnel(programs, "tier", TODAY)
    assert [(r.key, r.label, r.counts) for r in by_tier.rows] == [
        ("likely", "Likely", {"applied": 3, "invited": 2, "interviewed": 1, "ranked": 1}),
        ("reach", "Reach", {"applied": 2, "invited": 1, "interviewed": 1, "ranked": 0}),
    ]
    assert by_tier.total.counts == {"applied": 5, "invited": 3, "interviewed": 2, "ranked": 1}
    assert by_tier.total.rate("invited") == 0.6 and by_tier.rows[0].rate("ranked") == pytest.approx(1 / 3)

    by_setting = guidance.funnel(programs, "setting", TODAY)
    assert [(r.label, r.counts["applied"], r.counts["invited"]) for r in by_setting.rows] == [
        ("University", 1, 0), ("Community", 1, 1), ("County", 2, 1), ("Setting not set", 1, 1)]


def test_the_funnel_stages_are_data_with_definitions():
    assert [s.key for s in guidance.FUNNEL_STAGES] == ["applied", "invited", "interviewed", "ranked"]
    definitions = {s.key: s.definition for s in guidance.FUNNEL_STAGES}
    assert "Withdrawn" not in definitions["applied"] and "Rejected" in definitions["applied"]
    assert definitions["invited"].endswith("Waitlisted or Rejected with an interview date")
    assert definitions["ranked"] == "Status Ranked, Matched"
    assert guidance.funnel([], today=TODAY).total.rate("invited") is None


# -- A backup specialty and the total of the advice (issue 18) ---------------------------

def test_a_backup_specialty_gets_half_the_range_and_the_total_adds_the_fees():
    me = {**profile(["internal_medicine", "family_medicine"], 225), "backup_specialties": ["family_medicine"]}
    targets = guidance.application_targets(me, Rules())
    ranges = {t.specialty: (t.low, t.high, t.backup) for t in targets}
    assert ranges == {"internal_medicine": (80, 120, False), "family_medicine": (40, 60, True)}
    total = guidance.targets_total(targets, Rules())
    # ERAS bills each specialty on its own: 80 -> $1,830, 40 -> $630; 120 -> $3,030, 60 -> $1,230
    assert (total.low, total.high, total.fee_low, total.fee_high) == (120, 180, 2460, 4260)
    assert total.text == "120–180 applications"


def test_without_a_backup_each_specialty_gets_the_full_range():
    me = profile(["internal_medicine", "family_medicine"], 215)
    total = guidance.targets_total(guidance.application_targets(me, Rules()), Rules())
    assert (total.low, total.high) == (240, 320)


@pytest.mark.parametrize(("percent", "advised"), [(100, (120, 160)), (1, (2, 2)), (33, (40, 53))])
def test_the_backup_share_is_a_rule_rounded_up(percent, advised):
    me = {**profile(["pediatrics"], 210), "backup_specialties": ["pediatrics"]}
    (target,) = guidance.application_targets(me, Rules(backup_apps_percent=percent))
    assert (target.low, target.high) == advised


def test_a_med_peds_backup_is_still_every_eligible_program_and_leaves_the_total_open():
    me = {**profile(["med_peds", "internal_medicine"], 230), "backup_specialties": ["med_peds"]}
    targets = guidance.application_targets(me, Rules(), {"med_peds": 7})
    med_peds = next(t for t in targets if t.specialty == "med_peds")
    assert (med_peds.low, med_peds.high, med_peds.backup) == (7, None, True)
    total = guidance.targets_total(targets, Rules())
    assert (total.low, total.high, total.fee_high) == (87, None, None)
    assert total.text == "87+ applications"
    assert guidance.targets_total([], Rules()) is None
