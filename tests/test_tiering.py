"""assign_tier walks every rule in DOMAIN.md; boundaries exactly at, just past, and unknown.
Pure: plain dicts in, no Flask and no database."""


import pytest

from tracker.rules import Rules
from tracker.tiering import assign_tier

# A program that is Likely for the applicant below: J-1, clear IMG presence, county setting.
PROGRAM = {"visa_j1": "yes", "visa_h1b": "no", "img_percent": 40, "setting": "county", "mission_tags": []}
APPLICANT = {
    "visa_needed": "J-1", "step1": "pass", "step1_attempts": 1, "step2_ck": 230, "step2_attempts": 1,
    "step3": None, "graduation_year": 2020, "season_year": 2027, "usce_months": 3,
}
UNSET = object()  # remove the key: unknown

# (what differs in the program, what differs in the applicant, tier, a reason that must be given)
CASES = {
    "baseline": ({}, {}, "likely", "Sponsors J-1"),
    # visa: the hard filter, and unknown never counting as a yes
    "no J-1": ({"visa_j1": "no"}, {}, "not_eligible", "Does not sponsor J-1, which you need"),
    "J-1 unknown": ({"visa_j1": "unknown"}, {}, "reach", "J-1 sponsorship unknown: check the program's website"),
    "J-1 missing": ({"visa_j1": UNSET}, {}, "reach", "J-1 sponsorship unknown"),
    "needs H-1B, none": ({}, {"visa_needed": "H-1B"}, "not_eligible", "Does not sponsor H-1B, which you need"),
    "H-1B without Step 3": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B"}, "possible", "want Step 3 passed"),
    "H-1B with Step 3": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 225}, "likely",
                         "Step 3 225 passed"),
    "H-1B, Step 3 at solid line": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 220}, "likely",
                                   "Step 3 220 passed, which H-1B sponsors look for"),
    "H-1B, Step 3 below solid line": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 219}, "possible",
                                      "Your Step 3 219 is below the solid 220 H-1B sponsors look for"),
    "no visa needed": ({"visa_j1": "no"}, {"visa_needed": "none"}, "likely", "Clear IMG presence"),
    "visa need unset": ({}, {"visa_needed": UNSET}, "possible", "Your visa need is not in your profile"),
    # Step 1: a stated requirement (pass, or a minimum with the comfortable margin 5), failures, old scores
    "Step 1 pass required, passed": ({"step1_requirement": "pass"}, {}, "likely",
                                     "Requires a passed Step 1, which you have"),
    "Step 1 pass required, failed": ({"step1_requirement": "pass"}, {"step1": "fail"}, "not_eligible",
                                     "Requires a passed Step 1; your profile records Step 1 as failed"),
    "Step 1 pass required, unknown": ({"step1_requirement": "pass"}, {"step1": UNSET}, "possible",
                                      "add your Step 1 result"),
    "Step 1 none stated": ({"step1_requirement": "none stated"}, {"step1": "214"}, "possible",
                           "Your Step 1 214 is below average"),
    "Step 1 one below minimum": ({"step1_requirement": "220"}, {"step1": "219"}, "not_eligible",
                                 "Step 1 minimum 220 is above your 219"),
    "Step 1 exactly at minimum": ({"step1_requirement": "220"}, {"step1": "220"}, "possible",
                                  "Your Step 1 220 is near the stated minimum of 220"),
    "Step 1 at margin": ({"step1_requirement": "220"}, {"step1": "225"}, "likely",
                         "Your Step 1 225 clears the stated minimum of 220"),
    "Step 1 minimum, failed": ({"step1_requirement": "220"}, {"step1": "fail"}, "not_eligible",
                               "Requires a Step 1 of at least 220; your profile records Step 1 as failed"),
    "Step 1 minimum, pass/fail": ({"step1_requirement": "220"}, {}, "possible",
                                  "check whether the program accepts a pass"),
    "Step 1 minimum, unknown": ({"step1_requirement": "220"}, {"step1": UNSET}, "possible",
                                "Requires a Step 1 of at least 220: add your Step 1 result"),
    "Step 1 failed": ({}, {"step1": "fail"}, "possible", "Your profile records a failed Step 1: a red flag"),
    "Step 1 failed twice": ({}, {"step1": "fail", "step1_attempts": 2}, "reach", "2 failed attempts (Step 1)"),
    "Step 1 second attempt": ({}, {"step1_attempts": 2}, "possible", "You took Step 1 2 times"),
    "Step 1 at below-average line": ({}, {"step1": "215"}, "likely", "Sponsors J-1"),
    "Step 1 below average": ({}, {"step1": "214"}, "possible", "Your Step 1 214 is below average (under 215)"),
    "Step 1 unknown": ({}, {"step1": UNSET}, "likely", "Sponsors J-1"),
    # Step 2 CK against a stated minimum (comfortable margin 5)
    "Step 2 one below minimum": ({"step2_min": 231}, {}, "not_eligible", "Step 2 CK minimum 231 is above your 230"),
    "Step 2 exactly at minimum": ({"step2_min": 230}, {}, "possible", "near the stated minimum of 230"),
    "Step 2 just inside margin": ({"step2_min": 226}, {}, "possible", "near the stated minimum of 226"),
    "Step 2 at margin": ({"step2_min": 225}, {}, "likely", "clears the stated minimum of 225"),
    "Step 2 score unknown": ({"step2_min": 220}, {"step2_ck": UNSET}, "possible", "add your score"),
    # Step 2 CK without a stated minimum: what "low" means
    "Step 2 at filter line": ({}, {"step2_ck": 215}, "likely", "No Step 2 CK minimum on record"),
    "Step 2 below filter line": ({}, {"step2_ck": 214}, "possible", "may hit automatic filters"),
    "Step 2 at very low line": ({}, {"step2_ck": 210}, "possible", "below 215 may hit automatic filters"),
    "Step 2 below very low line": ({}, {"step2_ck": 209}, "reach", "filter out Step 2 CK below 210"),
    # attempts
    "attempts over limit": ({"max_attempts": 1}, {"step2_attempts": 2}, "not_eligible",
                            "Allows at most 1 attempt per exam; you took Step 2 CK 2 times"),
    "attempts at limit": ({"max_attempts": 2}, {"step1_attempts": 2}, "possible",
                          "You took Step 1 2 times: a failed attempt is a red flag"),
    "attempts unknown": ({"max_attempts": 1}, {"step1_attempts": UNSET}, "possible", "add your attempts"),
    # several failed attempts (2, both exams together): a reach where no limit is stated
    "one failure, no limit": ({}, {"step2_attempts": 2}, "possible", "You took Step 2 CK 2 times"),
    "two failures, no limit": ({}, {"step1_attempts": 2, "step2_attempts": 2}, "reach",
                               "2 failed attempts (Step 1 and Step 2 CK) and no attempt limit stated"),
    "two Step 2 failures, no limit": ({}, {"step2_attempts": 3}, "reach", "2 failed attempts (Step 2 CK)"),
    "two failures within a limit": ({"max_attempts": 3}, {"step2_attempts": 3}, "possible",
                                    "You took Step 2 CK 3 times"),
    "attempts unknown, no limit": ({}, {"step1_attempts": UNSET, "step2_attempts": UNSET}, "likely",
                                   "Sponsors J-1"),
    # years since graduation (2027 - 2020 = 7)
    "YOG at limit": ({"yog_limit_years": 7}, {}, "likely", "within the 7-year limit"),
    "YOG over limit": ({"yog_limit_years": 6}, {}, "not_eligible",
                       "Graduated 7 years before the 2027 Match; program limit is 6 years"),
    "YOG unknown": ({"yog_limit_years": 5}, {"graduation_year": UNSET}, "possible", "add your graduation year"),
    # US clinical experience
    "USCE required, none": ({"usce_required": "yes"}, {"usce_months": 0}, "not_eligible",
                            "Requires US clinical experience, which you do not have yet"),
    "USCE required, one month": ({"usce_required": "yes"}, {"usce_months": 1}, "likely", "you have 1 month"),
    "USCE required, unknown": ({"usce_required": "yes"}, {"usce_months": UNSET}, "possible", "add your months"),
    "USCE preferred, none": ({"usce_required": "preferred"}, {"usce_months": 0}, "possible",
                             "Prefers US clinical experience"),
    "USCE unknown, none": ({"usce_required": "unknown"}, {"usce_months": 0}, "possible",
                           "USCE requirement unknown: check the program's website"),
    "USCE missing, none": ({"usce_required": UNSET}, {"usce_months": 0}, "possible", "USCE requirement unknown"),
    "USCE unknown, at the required months": ({"usce_required": "unknown"}, {"usce_months": 1}, "likely",
                                             "Sponsors J-1"),
    "USCE unknown, months unknown": ({"usce_required": "unknown"}, {"usce_months": UNSET}, "possible",
                                     "USCE requirement unknown"),
    "USCE not required, none": ({"usce_required": "no"}, {"usce_months": 0}, "likely", "Sponsors J-1"),
    # IMG presence (clear at 20%, some at 5%, or 2 non-US IMGs)
    "IMG at clear line": ({"img_percent": 20}, {}, "likely", "Clear IMG presence: 20% IMG residents"),
    "IMG below clear line": ({"img_percent": 19.9}, {}, "possible", "Some IMG presence: 19.9% IMG residents"),
    "IMG at some line": ({"img_percent": 5}, {}, "possible", "Some IMG presence"),
    "IMG below some line": ({"img_percent": 4.9}, {}, "reach", "Low IMG presence: 4.9% IMG residents"),
    "IMG none": ({"img_percent": 0}, {}, "reach", "Low IMG presence"),
    "IMG unknown": ({"img_percent": UNSET}, {}, "possible", "IMG share unknown"),
    "non-US IMGs clear": ({"img_percent": UNSET, "non_us_img_count": 2}, {}, "likely",
                          "Clear IMG presence: 2 non-US IMGs"),
    "non-US IMGs some": ({"img_percent": UNSET, "non_us_img_count": 1}, {}, "possible", "Some IMG presence"),
    # setting and mission
    "community": ({"setting": "community"}, {}, "likely", "Community setting"),
    "FQHC": ({"setting": "fqhc"}, {}, "likely", "FQHC-affiliated setting"),
    "university": ({"setting": "university"}, {}, "reach", "University program: competitive"),
    "university, low score": ({"setting": "university"}, {"step2_ck": 224}, "reach", "below 225"),
    "university, mission-aligned": ({"setting": "university", "mission_tags": ["underserved"]}, {}, "likely",
                                    "Mission-aligned: underserved"),
    "VA": ({"setting": "va"}, {}, "possible", "VA setting, not mission-aligned"),
    "setting unknown": ({"setting": UNSET}, {}, "possible", "Setting unknown"),
}


def build(base, changes):
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not UNSET}


@pytest.mark.parametrize("program_changes, applicant_changes, tier, reason", CASES.values(), ids=CASES.keys())
def test_every_rule_at_its_boundaries(program_changes, applicant_changes, tier, reason):
    result = assign_tier(build(PROGRAM, program_changes), build(APPLICANT, applicant_changes))
    assert result.tier == tier, result.reasons
    assert any(reason in text for text in result.reasons), result.reasons


def test_exclusions_come_first_and_are_all_listed():
    program = {**PROGRAM, "visa_j1": "no", "step2_min": 240, "yog_limit_years": 3}
    result = assign_tier(program, APPLICANT)
    assert result.tier == "not_eligible"
    assert result.reasons[:3] == [
        "Does not sponsor J-1, which you need",
        "Step 2 CK minimum 240 is above your 230",
        "Graduated 7 years before the 2027 Match; program limit is 3 years",
    ]


def test_the_lowest_cap_wins_and_every_cap_is_explained():
    program = {**PROGRAM, "visa_j1": "unknown", "img_percent": 10, "step2_min": 228}
    result = assign_tier(program, APPLICANT)
    assert result.tier == "reach"
    assert [d.effect for d in result.details][:3] == ["unknown", "lowers", "lowers"]


def test_nothing_known_is_never_likely():
    assert assign_tier({}, {}).tier != "likely"
    assert assign_tier({}, APPLICANT).tier == "reach"  # visa unknown


def test_rules_change_the_outcome():
    program = {**PROGRAM, "img_percent": 40}
    assert assign_tier(program, APPLICANT, Rules(clear_img_percent=50)).tier == "possible"
    unknown_visa = {**PROGRAM, "visa_j1": "unknown"}
    assert assign_tier(unknown_visa, APPLICANT, Rules(unknown_visa_tier="possible")).tier == "possible"
    assert assign_tier({**PROGRAM, "setting": "va"}, APPLICANT,
                       Rules(friendly_settings=["va"])).tier == "likely"


def test_an_unknown_usce_requirement_lowers_confidence_as_unknown():
    result = assign_tier({**PROGRAM, "usce_required": "unknown"}, {**APPLICANT, "usce_months": 0})
    assert [(d.text, d.effect) for d in result.details if "USCE" in d.text] == [
        ("USCE requirement unknown: check the program's website", "unknown")]


def test_the_new_step_1_and_attempt_rules_are_rules_the_user_can_change():
    low_step1 = {**APPLICANT, "step1": "214"}
    assert assign_tier(PROGRAM, low_step1).tier == "possible"
    assert assign_tier(PROGRAM, low_step1, Rules(step1_below_average=210)).tier == "likely"
    two_failures = {**APPLICANT, "step2_attempts": 3}
    assert assign_tier(PROGRAM, two_failures).tier == "reach"
    assert assign_tier(PROGRAM, two_failures, Rules(many_attempts=3)).tier == "possible"
    weak_step3 = {**APPLICANT, "visa_needed": "H-1B", "step3": 215}
    h1b = {**PROGRAM, "visa_h1b": "yes"}
    assert assign_tier(h1b, weak_step3).tier == "possible"
    assert assign_tier(h1b, weak_step3, Rules(step3_solid=215)).tier == "likely"
    assert assign_tier({**PROGRAM, "usce_required": "unknown"}, APPLICANT, Rules(usce_months_required=4)).tier \
        == "possible"


def test_model_objects_tier_like_dicts():
    from tracker.models import Profile, Program

    program = Program(name="X", **PROGRAM)
    profile = Profile(**APPLICANT)
    assert assign_tier(program, profile).reasons == assign_tier(PROGRAM, APPLICANT).reasons

