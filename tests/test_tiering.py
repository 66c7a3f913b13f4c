"""assign_tier against the strategy articles behind DOMAIN.md, one row per quoted rule, with the
boundary values on each side. Every row changes one input of a Likely program and applicant
and sees the tier and a reason change. Pure: plain dicts in, no Flask and no database."""


import pytest

from tracker.rules import Rules
from tracker.tiering import assign_tier, languages

# A program that is Likely for the applicant below: Internal Medicine, J-1, non-US IMGs among its
# residents, county setting, every requirement researched and none stated.
PROGRAM = {
    "specialty": "internal_medicine", "visa_j1": "yes", "visa_h1b": "no", "img_percent": 40,
    "non_us_img_count": 4, "setting": "county", "mission_tags": [], "step2_min_kind": "none",
    "max_attempts_kind": "none", "yog_limit_kind": "none", "usce_required": "no",
}
APPLICANT = {
    "visa_needed": "J-1", "step1": "pass", "step1_attempts": 1, "step2_ck": 232, "step2_attempts": 1,
    "step3": None, "graduation_year": 2023, "season_year": 2027, "clinical_gap_months": 0, "usce_months": 3,
    "usce_inpatient_months": 1, "observership_months": 0, "us_letters": 2, "ecfmg_certified": "yes",
    "languages": "English", "mission_experience": [],
}
BASELINE = [
    "Internal Medicine: one of the most realistic entry points for IMGs", "Sponsors J-1",
    "No Step 2 CK minimum stated", "Clear IMG presence: 4 non-US IMGs in current classes, 40% IMG residents",
    "County setting",
]
UNSET = object()  # remove the key: unknown
SAME = None  # the reasons stay the baseline's

# (what differs in the program, what differs in the applicant, tier, a reason that must be given)
CASES = {
    # -- The specialty. "Fields like dermatology, orthopedics, radiology, and plastics are extremely
    # difficult with low scores" (low: Step 2 CK below 225, the below-average line)
    "dermatology, low score": ({"specialty": "dermatology"}, {"step2_ck": 224}, "reach",
                               "Dermatology is extremely competitive with low scores: your Step 2 CK 224 is below 225"),
    "dermatology, at the below-average line": ({"specialty": "dermatology"}, {"step2_ck": 225}, "possible",
                                               "Dermatology is extremely competitive for IMGs, even with your Step 2 "
                                               "CK 225"),
    "dermatology, score unknown": ({"specialty": "dermatology"}, {"step2_ck": UNSET}, "reach",
                                   "Dermatology is extremely competitive with low scores: add your Step 2 CK score"),
    "orthopaedics, low score": ({"specialty": "orthopaedic_surgery"}, {"step2_ck": 224}, "reach",
                                "Orthopaedic Surgery is extremely competitive with low scores"),
    "radiology, low score": ({"specialty": "diagnostic_radiology"}, {"step2_ck": 224}, "reach",
                             "Diagnostic Radiology is extremely competitive with low scores"),
    "plastics, low score": ({"specialty": "plastic_surgery"}, {"step2_ck": 224}, "reach",
                            "Plastic Surgery is extremely competitive with low scores"),
    # EM and OB/Gyn: "often more competitive; low scores may be more limiting"
    "emergency medicine, low score": ({"specialty": "emergency_medicine"}, {"step2_ck": 224}, "possible",
                                      "Emergency Medicine is often more competitive; low scores may be more limiting "
                                      "(your Step 2 CK 224 is below 225)"),
    "emergency medicine, inside the below-average band": ({"specialty": "emergency_medicine"}, {"step2_ck": 229},
                                                          "likely", "Your Step 2 CK 229 is inside the 225–230 band"),
    "OB/Gyn, low score": ({"specialty": "obgyn"}, {"step2_ck": 224}, "possible",
                          "Obstetrics and Gynecology is often more competitive"),
    # IM, FM, Pediatrics, Psychiatry (and Neurology, Pathology): "the most realistic entry points"
    "psychiatry": ({"specialty": "psychiatry"}, {}, "likely", "Psychiatry: one of the most realistic entry points"),
    "pathology": ({"specialty": "pathology"}, {}, "likely", "Pathology: one of the most realistic entry points"),

    # -- Visa. The hard filter: a program that does not sponsor the visa "wastes time and money"
    "no J-1": ({"visa_j1": "no"}, {}, "not_eligible", "Does not sponsor J-1, which you need"),
    "J-1 unknown": ({"visa_j1": "unknown"}, {}, "reach", "J-1 sponsorship unknown: check the program's website"),
    "J-1 missing": ({"visa_j1": UNSET}, {}, "reach", "J-1 sponsorship unknown"),
    "needs H-1B, none": ({}, {"visa_needed": "H-1B"}, "not_eligible", "Does not sponsor H-1B, which you need"),
    "visa need unset": ({}, {"visa_needed": UNSET}, "possible", "Your visa need is not in your profile"),
    # Either visa: a program sponsoring one of them is eligible
    "either, J-1 only": ({}, {"visa_needed": "either"}, "likely", "Sponsors J-1, one of the visas you would take"),
    "either, H-1B only": ({"visa_j1": "no", "visa_h1b": "yes"}, {"visa_needed": "either", "step3": 235}, "likely",
                          "Sponsors H-1B, one of the visas you would take"),
    "either, both": ({"visa_h1b": "yes"}, {"visa_needed": "either"}, "likely", "Sponsors J-1 and H-1B"),
    "either, neither": ({"visa_j1": "no"}, {"visa_needed": "either"}, "not_eligible",
                        "Sponsors neither J-1 nor H-1B, the visas you would take"),
    "either, one refused and one unknown": ({"visa_j1": "no", "visa_h1b": "unknown"}, {"visa_needed": "either"},
                                            "reach", "Does not sponsor J-1; H-1B sponsorship unknown"),
    # "If your scores are low and Step 3 is incomplete, focusing on J-1–sponsoring, IMG-friendly programs
    # is usually more realistic"
    "prefers H-1B, low without Step 3, H-1B only": (
        {"visa_j1": "no", "visa_h1b": "yes"}, {"visa_needed": "either", "visa_preference": "H-1B", "step2_ck": 222},
        "possible", "Sponsors H-1B only: \"If your scores are low and Step 3 is incomplete, focusing on J-1–sponsoring, "
                    "IMG-friendly programs is usually more realistic\""),
    "prefers H-1B, low without Step 3, J-1 too": (
        {"visa_h1b": "yes"}, {"visa_needed": "either", "visa_preference": "H-1B", "step2_ck": 222}, "likely",
        "Sponsors J-1, which suits your profile better than the H-1B you prefer"),
    # H-1B programs' "higher score and Step 3 expectations"
    "H-1B without Step 3": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B"}, "possible", "want Step 3 passed"),
    "H-1B, Step 3 at the solid line": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 220}, "likely",
                                       "Step 3 220 passed, which H-1B sponsors look for"),
    "H-1B, Step 3 below the solid line": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 219}, "possible",
                                          "Your Step 3 219 is below the solid 220 H-1B sponsors look for"),
    "H-1B, Step 2 CK below what sponsors expect": (
        {"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 225, "step2_ck": 229}, "possible",
        "H-1B sponsors have higher score expectations: your Step 2 CK 229 is below 230"),
    "H-1B, Step 2 CK at what sponsors expect": ({"visa_h1b": "yes"}, {"visa_needed": "H-1B", "step3": 225,
                                                                      "step2_ck": 230}, "likely", "Sponsors H-1B"),

    # -- Step 3 for everyone: a weak or failed Step 3 "can worsen" any profile; "> ~220" helps
    "J-1, Step 3 weak": ({}, {"step3": 219}, "possible",
                         "Your Step 3 219 is weak (below 220): a weak Step 3 can worsen any profile"),
    "J-1, Step 3 solid": ({}, {"step3": 220}, "likely", "Step 3 220 passed solidly (at least 220)"),
    "J-1, Step 3 failed": ({}, {"step3": 199}, "possible",
                           "Your Step 3 199 is below the passing score of 200: a failed Step 3 can worsen any profile"),
    "J-1, Step 3 at the passing score": ({}, {"step3": 200}, "possible", "Your Step 3 200 is weak"),
    "J-1, Step 3 passed on a second attempt": ({}, {"step3": 230, "step3_attempts": 2}, "possible",
                                               "You took Step 3 2 times: a failed Step 3 can worsen any profile"),
    "Step 3 attempts over a limit": ({"max_attempts": 1, "max_attempts_kind": "strict"},
                                     {"step3": 230, "step3_attempts": 2}, "not_eligible",
                                     "Allows at most 1 attempt per exam; you took Step 3 2 times"),

    # -- Step 1: a stated requirement (pass, or a minimum with the comfortable margin 5), failures, old
    # scores ("< 215–220" is below average)
    "Step 1 pass required, passed": ({"step1_requirement": "pass"}, {}, "likely",
                                     "Requires a passed Step 1, which you have"),
    "Step 1 pass required, failed": ({"step1_requirement": "pass"}, {"step1": "fail"}, "not_eligible",
                                     "Requires a passed Step 1; your profile records Step 1 as failed"),
    "Step 1 pass required, unknown": ({"step1_requirement": "pass"}, {"step1": UNSET}, "possible",
                                      "add your Step 1 result"),
    "Step 1 one below minimum": ({"step1_requirement": "220"}, {"step1": "219"}, "not_eligible",
                                 "Step 1 minimum 220 is above your 219"),
    "Step 1 exactly at minimum": ({"step1_requirement": "220"}, {"step1": "220"}, "possible",
                                  "Your Step 1 220 is near the stated minimum of 220"),
    "Step 1 at margin": ({"step1_requirement": "220"}, {"step1": "225"}, "likely",
                         "Your Step 1 225 clears the stated minimum of 220"),
    "Step 1 minimum, pass/fail": ({"step1_requirement": "220"}, {}, "possible",
                                  "check whether the program accepts a pass"),
    "Step 1 failed": ({}, {"step1": "fail"}, "possible", "Your profile records a failed Step 1: a red flag"),
    "Step 1 failed twice": ({}, {"step1": "fail", "step1_attempts": 2}, "reach", "2 failed attempts (Step 1)"),
    "Step 1 second attempt": ({}, {"step1_attempts": 2}, "possible", "You took Step 1 2 times"),
    "Step 1 below average": ({}, {"step1": "214"}, "possible", "Your Step 1 214 is below average (under 215)"),
    "Step 1 at the below-average line": ({}, {"step1": "215"}, "likely",
                                         "Your Step 1 215 is inside the 215–220 band"),
    "Step 1 at the band's top": ({}, {"step1": "220"}, "likely", SAME),

    # -- Step 2 CK against a stated minimum: a strict cutoff excludes, a preference lowers the tier
    "Step 2 one below a strict minimum": ({"step2_min": 233, "step2_min_kind": "strict"}, {}, "not_eligible",
                                          "Step 2 CK minimum 233 is above your 232 (a strict cutoff)"),
    "Step 2 one below a minimum not known to be strict": ({"step2_min": 233, "step2_min_kind": UNSET}, {},
                                                          "not_eligible", "Step 2 CK minimum 233 is above your 232"),
    "Step 2 one below a preferred minimum": ({"step2_min": 233, "step2_min_kind": "preferred"}, {}, "reach",
                                             "Prefers a Step 2 CK of at least 233 (a preference, not a cutoff)"),
    "Step 2 exactly at minimum": ({"step2_min": 232, "step2_min_kind": "strict"}, {}, "possible",
                                  "near the stated minimum of 232"),
    "Step 2 just inside margin": ({"step2_min": 228, "step2_min_kind": "strict"}, {}, "possible",
                                  "near the stated minimum of 228"),
    "Step 2 at margin": ({"step2_min": 227, "step2_min_kind": "strict"}, {}, "likely",
                         "clears the stated minimum of 227"),
    "Step 2 score unknown": ({"step2_min": 220}, {"step2_ck": UNSET}, "possible", "add your score"),
    # "None stated" supports the tier; "not researched" is a research item
    "Step 2 minimum not researched": ({"step2_min_kind": UNSET}, {}, "likely",
                                      "Not researched yet: Step 2 CK minimum. Check the program's website"),
    # Without a stated minimum: "< 215–220 may hit automatic filters at community and county programs",
    # "< 210–215 ... many programs never see the application"
    "Step 2 at the filter band's top": ({}, {"step2_ck": 220}, "likely", SAME),
    "Step 2 inside the filter band": ({}, {"step2_ck": 218}, "likely",
                                      "Step 2 CK 218 is inside the 215–220 band where some community and county "
                                      "programs filter"),
    "Step 2 at the filter line": ({}, {"step2_ck": 215}, "likely", "Step 2 CK 215 is inside the 215–220 band"),
    "Step 2 below the filter line": ({}, {"step2_ck": 214}, "possible", "below 215 may hit automatic filters"),
    "Step 2 at the very low line": ({}, {"step2_ck": 210}, "possible",
                                    "Step 2 CK 210 is inside the 210–215 band where many programs never see the "
                                    "application"),
    "Step 2 below the very low line": ({}, {"step2_ck": 209}, "reach", "filter out Step 2 CK below 210"),

    # -- Attempts: "first attempt only" is a limit of 1, strict or preferred
    "attempts over a strict limit": ({"max_attempts": 1, "max_attempts_kind": "strict"}, {"step2_attempts": 2},
                                     "not_eligible", "Allows at most 1 attempt per exam; you took Step 2 CK 2 times"),
    "attempts over a preferred limit": ({"max_attempts": 1, "max_attempts_kind": "preferred"}, {"step2_attempts": 2},
                                        "reach", "Prefers at most 1 attempt per exam (a preference, not a cutoff)"),
    "attempts at limit": ({"max_attempts": 2}, {"step1_attempts": 2}, "possible",
                          "You took Step 1 2 times: a failed attempt is a red flag"),
    "attempts unknown": ({"max_attempts": 1}, {"step1_attempts": UNSET}, "possible", "add your attempts"),
    "one failure, no limit stated": ({}, {"step2_attempts": 2}, "possible", "No attempt limit stated"),
    "one failure, limit not researched": ({"max_attempts_kind": UNSET}, {"step2_attempts": 2}, "possible",
                                          "Not researched yet: attempt limit"),
    "two failures, no limit": ({}, {"step1_attempts": 2, "step2_attempts": 2}, "reach",
                               "2 failed attempts (Step 1 and Step 2 CK) and no attempt limit stated"),
    "two Step 2 failures, no limit": ({}, {"step2_attempts": 3}, "reach", "2 failed attempts (Step 2 CK)"),
    "a Step 3 failure counts with the others": ({}, {"step2_attempts": 2, "step3": 230, "step3_attempts": 2}, "reach",
                                                "2 failed attempts (Step 2 CK and Step 3)"),
    "two failures within a limit": ({"max_attempts": 3}, {"step2_attempts": 3}, "possible",
                                    "You took Step 2 CK 3 times"),

    # -- Graduation and gaps (2027 - 2023 = 4 years)
    "YOG at limit": ({"yog_limit_years": 4}, {}, "likely", "within the 4-year limit"),
    "YOG over a strict limit": ({"yog_limit_years": 3, "yog_limit_kind": "strict"}, {}, "not_eligible",
                                "Graduated 4 years before the 2027 Match; program limit is 3 years"),
    "YOG over a preferred limit": ({"yog_limit_years": 3, "yog_limit_kind": "preferred"}, {}, "reach",
                                   "Prefers graduates within 3 years (a preference, not a cutoff)"),
    "YOG unknown": ({"yog_limit_years": 5}, {"graduation_year": UNSET}, "possible", "add your graduation year"),
    "YOG limit not researched": ({"yog_limit_kind": UNSET}, {}, "likely", "Not researched yet: graduation-year limit"),
    # older graduation and inactive years are risk factors even where no limit is stated
    "graduated at the older-graduation line": ({}, {"graduation_year": 2022}, "likely", SAME),
    "graduated past the older-graduation line": ({}, {"graduation_year": 2021}, "possible",
                                                 "Graduated 6 years before the 2027 Match: an older graduation is a "
                                                 "risk factor even where no limit is stated"),
    "a gap at the long-gap line": ({}, {"clinical_gap_months": 12}, "likely", SAME),
    "a long gap": ({}, {"clinical_gap_months": 13}, "possible",
                   "13 months without clinical work: a long gap is a risk factor (more than 12)"),

    # -- "ECFMG certificate by the rank-list deadline" differs from before the interview
    "ECFMG before the interview, certified": ({"ecfmg_by": "interview"}, {}, "likely",
                                              "Wants the ECFMG certificate before the interview; you have it"),
    "ECFMG before the interview, expected by ranking": ({"ecfmg_by": "interview"}, {"ecfmg_certified": "by_ranking"},
                                                        "not_eligible", "you expect yours only by the rank-list deadline"),
    "ECFMG by ranking, expected by ranking": ({"ecfmg_by": "ranking"}, {"ecfmg_certified": "by_ranking"}, "likely",
                                              "you expect yours by then"),
    "ECFMG by ranking, later": ({"ecfmg_by": "ranking"}, {"ecfmg_certified": "later"}, "not_eligible",
                                "you will not have it by then"),
    "ECFMG asked, profile silent": ({"ecfmg_by": "ranking"}, {"ecfmg_certified": UNSET}, "possible",
                                    "add yours to your profile"),

    # -- US clinical experience: "2–3 months of USCE ..., with at least one month inpatient"; hands-on over
    # observerships; letters tied to it
    "USCE required, none": ({"usce_required": "yes"}, {"usce_months": 0, "usce_inpatient_months": 0}, "not_eligible",
                            "Requires US clinical experience, which you do not have yet"),
    "USCE required, observerships only": ({"usce_required": "yes"},
                                          {"usce_months": 0, "usce_inpatient_months": 0, "observership_months": 2},
                                          "reach", "your 2 months of observerships are not hands-on"),
    "USCE required, one month": ({"usce_required": "yes"}, {"usce_months": 1}, "possible",
                                 "USCE depth: programs look for 2 months of hands-on USCE, 1 of them inpatient, and 1 "
                                 "US letter; you have 1 month hands-on"),
    "USCE required, two months": ({"usce_required": "yes"}, {"usce_months": 2}, "likely",
                                  "USCE depth: 2 months hands-on, 1 inpatient, 2 US letters"),
    "USCE required, no inpatient month": ({"usce_required": "yes"}, {"usce_inpatient_months": 0}, "possible",
                                          "you have 0 inpatient months"),
    "USCE required, inpatient months unknown": ({"usce_required": "yes"}, {"usce_inpatient_months": UNSET}, "possible",
                                                "add your inpatient months to your profile"),
    "USCE required, no US letter": ({"usce_required": "yes"}, {"us_letters": 0}, "possible", "you have 0 US letters"),
    "USCE required, months unknown": ({"usce_required": "yes"}, {"usce_months": UNSET}, "possible", "add your months"),
    "USCE preferred, none": ({"usce_required": "preferred"}, {"usce_months": 0, "usce_inpatient_months": 0},
                             "possible", "Prefers US clinical experience"),
    "USCE preferred, one month": ({"usce_required": "preferred"}, {"usce_months": 1}, "possible", "USCE depth"),
    "USCE unknown, none": ({"usce_required": "unknown"}, {"usce_months": 0, "usce_inpatient_months": 0}, "possible",
                           "USCE requirement unknown: check the program's website"),
    "USCE missing, none": ({"usce_required": UNSET}, {"usce_months": 0, "usce_inpatient_months": 0}, "possible",
                           "USCE requirement unknown"),
    "USCE unknown, at the required months": ({"usce_required": "unknown"}, {"usce_months": 1}, "likely", SAME),
    "USCE unknown at a setting that expects depth": ({"usce_required": "unknown", "setting": "university_affiliated"},
                                                     {"usce_months": 1}, "possible", "USCE depth"),
    "USCE not required, none": ({}, {"usce_months": 0, "usce_inpatient_months": 0}, "likely", SAME),

    # -- IMG presence: "multiple IMGs, especially non-US citizen IMG (not only US citizens who studied abroad)"
    "non-US IMGs at the clear count": ({"non_us_img_count": 2, "img_percent": UNSET}, {}, "likely",
                                       "Clear IMG presence: 2 non-US IMGs in current classes"),
    "one non-US IMG": ({"non_us_img_count": 1, "img_percent": UNSET}, {}, "possible",
                       "Some IMG presence: 1 non-US IMG in current classes"),
    "one non-US IMG among many IMGs": ({"non_us_img_count": 1}, {}, "likely",
                                       "Clear IMG presence: 1 non-US IMG in current classes, 40% IMG residents"),
    "one non-US IMG, an IMG share under the clear line": ({"non_us_img_count": 1, "img_percent": 19.9}, {}, "possible",
                                                          "Some IMG presence: 1 non-US IMG"),
    "no non-US IMGs among many IMGs": ({"non_us_img_count": 0, "img_percent": 30}, {}, "reach",
                                       "No non-US IMGs among current residents: 0 non-US IMGs in current classes, 30% "
                                       "IMG residents (US citizens who studied abroad)"),
    "non-US IMG share at the clear line": ({"non_us_img_count": UNSET, "non_us_img_percent": 10, "img_percent": UNSET},
                                           {}, "likely", "Clear IMG presence: 10% non-US IMG residents"),
    "non-US IMG share under the clear line": ({"non_us_img_count": UNSET, "non_us_img_percent": 9.9,
                                               "img_percent": UNSET}, {}, "possible",
                                              "Some IMG presence: 9.9% non-US IMG residents"),
    # an all-IMG share alone supports Possible, not Likely
    "all-IMG share alone, high": ({"non_us_img_count": UNSET}, {}, "possible",
                                  "40% IMG residents, but how many are non-US IMGs is unknown: an all-IMG share alone "
                                  "supports Possible"),
    "all-IMG share alone, at the some line": ({"non_us_img_count": UNSET, "img_percent": 5}, {}, "possible",
                                              "Some IMG presence: 5% IMG residents"),
    "all-IMG share alone, under the some line": ({"non_us_img_count": UNSET, "img_percent": 4.9}, {}, "reach",
                                                 "Low IMG presence: 4.9% IMG residents"),
    # "unclear" data is Tier 3
    "IMG data unknown": ({"non_us_img_count": UNSET, "img_percent": UNSET}, {}, "reach", "IMG data unknown"),

    # -- Setting: county, safety-net, community (university-affiliated community included) towards Likely
    "community": ({"setting": "community"}, {}, "likely", "Community setting"),
    "university-affiliated community": ({"setting": "university_affiliated"}, {}, "likely",
                                        "University-affiliated community setting"),
    "FQHC": ({"setting": "fqhc"}, {}, "likely", "FQHC-affiliated setting"),
    "university": ({"setting": "university"}, {}, "reach", "University program: competitive"),
    "university, low score": ({"setting": "university"}, {"step2_ck": 224}, "reach", "below 225"),
    "university, inside the below-average band": ({"setting": "university"}, {"step2_ck": 227}, "reach",
                                                  "Your Step 2 CK 227 is inside the 225–230 band"),
    # "Academic programs with prestigious global health tracks" are Reach
    "university with a global health track": ({"setting": "university", "mission_tags": ["global_health"]},
                                              {"mission_experience": ["global_health"]}, "reach",
                                              "University program: competitive, even with its mission (global health)"),
    "VA": ({"setting": "va"}, {}, "possible", "VA setting, not mission-aligned"),
    "VA, mission-aligned": ({"setting": "va", "mission_tags": ["underserved"]}, {}, "likely",
                            "Mission-aligned: underserved"),
    "setting unknown": ({"setting": UNSET}, {}, "possible", "Setting unknown"),

    # -- Mission fit: "your numerical disadvantage must be offset by an obvious mission fit", Spanish "a
    # central selling point"
    "border program, Spanish speaker, low score": ({"mission_tags": ["border"]},
                                                   {"step2_ck": 222, "languages": "English, Spanish"}, "likely",
                                                   "Mission fit: you speak Spanish (US-Mexico border)"),
    "border program, border experience, low score": ({"mission_tags": ["border"]},
                                                     {"step2_ck": 222, "mission_experience": ["border"]}, "likely",
                                                     "Mission fit: your border experience (US-Mexico border)"),
    "border program, no fit, low score": ({"mission_tags": ["border"]}, {"step2_ck": 224}, "possible",
                                          "No mission fit for a US-Mexico border program on your profile (Spanish, or "
                                          "border experience): with a Step 2 CK of 224, below 225"),
    "border program, no fit, at the below-average line": ({"mission_tags": ["border"]}, {"step2_ck": 225}, "likely",
                                                          "it matters less with your Step 2 CK 225"),
    "border program, profile silent, low score": ({"mission_tags": ["border"]},
                                                  {"step2_ck": 222, "languages": UNSET}, "possible",
                                                  "add your languages and mission experience to your profile"),
    "global-health program, no fit, low score": ({"mission_tags": ["global_health"]}, {"step2_ck": 222}, "possible",
                                                 "No mission fit for a global health program"),
    "global-health program, global-health experience": ({"mission_tags": ["global_health"]},
                                                        {"step2_ck": 222, "mission_experience": ["global_health"]},
                                                        "likely", "Mission fit: your global-health experience"),
    "refugee clinic, a patient language": ({"mission_tags": ["immigrant_refugee"]}, {"languages": "English, Arabic"},
                                           "likely", "Mission fit: you speak Arabic (immigrant/refugee)"),
    "underserved program, no fit, low score": ({"mission_tags": ["underserved"]}, {"step2_ck": 222}, "likely",
                                               "Mission-aligned: underserved"),
}


def build(base, changes):
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not UNSET}


def test_the_baseline_is_likely_and_says_why():
    result = assign_tier(PROGRAM, APPLICANT)
    assert (result.tier, result.reasons) == ("likely", BASELINE)


@pytest.mark.parametrize("program_changes, applicant_changes, tier, reason", CASES.values(), ids=CASES.keys())
def test_each_quoted_rule_at_its_boundaries(program_changes, applicant_changes, tier, reason):
    result = assign_tier(build(PROGRAM, program_changes), build(APPLICANT, applicant_changes))
    assert result.tier == tier, result.reasons
    if reason is SAME:
        assert result.reasons == BASELINE
    else:
        assert any(reason in text for text in result.reasons), result.reasons
        assert not any(reason in text for text in BASELINE)  # the change made the reason


def test_exclusions_come_first_and_are_all_listed():
    program = {**PROGRAM, "visa_j1": "no", "step2_min": 240, "yog_limit_years": 3}
    result = assign_tier(program, APPLICANT)
    assert result.tier == "not_eligible"
    assert result.reasons[:3] == [
        "Does not sponsor J-1, which you need",
        "Step 2 CK minimum 240 is above your 232",
        "Graduated 4 years before the 2027 Match; program limit is 3 years",
    ]


def test_the_lowest_cap_wins_and_every_cap_is_explained():
    program = {**PROGRAM, "visa_j1": "unknown", "non_us_img_count": 1, "img_percent": 10, "step2_min": 230,
               "step2_min_kind": "strict"}
    result = assign_tier(program, APPLICANT)
    assert result.tier == "reach"
    assert [d.effect for d in result.details][:3] == ["unknown", "lowers", "lowers"]


def test_nothing_known_is_never_likely():
    assert assign_tier({}, {}).tier != "likely"
    assert assign_tier({}, APPLICANT).tier == "reach"  # visa and IMG data unknown


def test_a_more_competitive_specialty_above_the_band_is_not_lowered_for_it():
    result = assign_tier({**PROGRAM, "specialty": "emergency_medicine"}, {**APPLICANT, "step2_ck": 230})
    assert (result.tier, result.reasons) == ("likely", BASELINE[1:])


def test_a_specialty_in_no_list_neither_caps_nor_supports():
    result = assign_tier({**PROGRAM, "specialty": "med_peds"}, {**APPLICANT, "step2_ck": 200})
    assert not any("Med-Peds" in text for text in result.reasons)


def test_no_visa_needed_reads_no_sponsorship():
    result = assign_tier({**PROGRAM, "visa_j1": "no"}, {**APPLICANT, "visa_needed": "none"})
    assert result.tier == "likely" and not any("J-1" in text for text in result.reasons)


def test_a_preference_without_either_is_ignored():
    assert assign_tier({**PROGRAM, "visa_j1": "no", "visa_h1b": "yes"},
                       {**APPLICANT, "visa_preference": "H-1B"}).tier == "not_eligible"


def test_rules_change_the_outcome():
    assert assign_tier({**PROGRAM, "img_percent": None}, APPLICANT, Rules(clear_non_us_img_count=5)).tier \
        == "possible"
    unknown_visa = {**PROGRAM, "visa_j1": "unknown"}
    assert assign_tier(unknown_visa, APPLICANT, Rules(unknown_visa_tier="possible")).tier == "possible"
    assert assign_tier({**PROGRAM, "setting": "va"}, APPLICANT, Rules(friendly_settings=["va"])).tier == "likely"
    low = {**APPLICANT, "step2_ck": 224}
    derm = {**PROGRAM, "specialty": "dermatology"}
    assert assign_tier(derm, low).tier == "reach"
    assert assign_tier(derm, low, Rules(extremely_competitive_specialties=[])).tier == "likely"
    assert assign_tier(derm, low, Rules(extremely_competitive_specialties=[],
                                        more_competitive_specialties=["dermatology"])).tier == "possible"
    border = {**PROGRAM, "mission_tags": ["border"]}
    assert assign_tier(border, low).tier == "possible"
    assert assign_tier(border, low, Rules(fit_required_tags=[])).tier == "likely"
    preferred = {**PROGRAM, "step2_min": 240, "step2_min_kind": "preferred"}
    assert assign_tier(preferred, APPLICANT, Rules(below_preference_tier="possible")).tier == "possible"
    old = {**APPLICANT, "graduation_year": 2020}
    assert assign_tier(PROGRAM, old).tier == "possible"
    assert assign_tier(PROGRAM, old, Rules(old_graduation_years=7)).tier == "likely"
    assert assign_tier({**PROGRAM, "non_us_img_count": None}, APPLICANT, Rules(unknown_img_tier="possible")).tier \
        == "possible"


def test_the_bands_are_rules_the_user_can_change():
    assert not any("band" in t for t in assign_tier(PROGRAM, {**APPLICANT, "step2_ck": 219},
                                                    Rules(step2_filter_band_top=219)).reasons)
    result = assign_tier(PROGRAM, {**APPLICANT, "step2_ck": 221}, Rules(step2_filter_band_top=225))
    assert "Step 2 CK 221 is inside the 215–225 band where some community and county programs filter" in result.reasons
    assert result.tier == "likely"


def test_the_step_1_attempt_and_step_3_rules_are_rules_the_user_can_change():
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
    assert assign_tier(PROGRAM, {**APPLICANT, "step3": 205}, Rules(step3_pass_score=210)).reasons[0].startswith(
        "Your Step 3 205 is below the passing score of 210")
    assert assign_tier({**PROGRAM, "usce_required": "yes"}, APPLICANT, Rules(usce_expected_months=4)).tier \
        == "possible"


def test_languages_are_read_as_people_list_them():
    assert languages("Spanish, Arabic and French") == ["spanish", "arabic", "french"]
    assert languages("Español; English / Hindi") == ["spanish", "english", "hindi"]
    assert languages(None) == [] and languages("  ") == []


def test_model_objects_tier_like_dicts():
    from tracker.models import Profile, Program

    program = Program(name="X", **PROGRAM)
    profile = Profile(**APPLICANT)
    assert assign_tier(program, profile).reasons == assign_tier(PROGRAM, APPLICANT).reasons


# -- the memo a whole list is tiered with (tracker.tiers.retier_all) --------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tracker import fields as catalogue  # noqa: E402
from tracker import tiering  # noqa: E402


def _values(key):
    f = catalogue.get(key)
    if key == "step1_requirement":
        return st.sampled_from([None, "pass", "Pass required", "first attempt", "220", "no requirement"])
    if f.kind is catalogue.Kind.TRI:
        return st.sampled_from([None, "yes", "no", "unknown"])
    if f.kind is catalogue.Kind.CHOICE:
        return st.sampled_from([None, *(c.value for c in f.choices)])
    if f.kind is catalogue.Kind.TAGS:
        return st.lists(st.sampled_from([c.value for c in f.choices]), unique=True, max_size=3)
    if f.kind is catalogue.Kind.PERCENT:
        return st.one_of(st.none(), st.sampled_from([0, 4, 5, 10, 24.5, 25, 40, 100]))
    return st.one_of(st.none(), st.integers(0, 260))


PROGRAMS = st.fixed_dictionaries({key: _values(key) for key in sorted(tiering.TIER_FIELDS)})
APPLICANTS = st.sampled_from([
    APPLICANT, {**APPLICANT, "visa_needed": "H-1B", "step3": 225}, {**APPLICANT, "visa_needed": "either",
                                                                     "visa_preference": "H-1B", "step2_ck": 221},
    {**APPLICANT, "step2_ck": None, "languages": "English, Spanish", "mission_experience": ["border"]},
    {**APPLICANT, "step1": "fail", "step1_attempts": 2, "graduation_year": 2012, "usce_months": 0},
])


@settings(max_examples=150, deadline=None)
@given(st.lists(PROGRAMS, min_size=1, max_size=40), APPLICANTS)
def test_a_list_tiered_with_one_memo_gets_what_each_program_gets_alone(programs, applicant):
    """What a check did for one combination of its fields is done again, not worked out again, for
    the next program with that combination: the tiers and every reason are the same as alone."""
    memo: dict = {}
    for program in programs:
        assert assign_tier(program, applicant, Rules(), memo) == assign_tier(program, applicant, Rules())


@settings(max_examples=150, deadline=None)
@given(PROGRAMS, APPLICANTS)
def test_each_check_reads_only_the_fields_its_memo_is_keyed_by(program, applicant):
    from tracker import records

    rules, me = Rules(), records.reader(applicant)
    for check, keys in tiering._CHECKS:
        read = set()
        check(tiering._Assessment(), lambda key: read.add(key) or program.get(key), me, rules)
        assert read <= set(keys), (check, read - set(keys))
