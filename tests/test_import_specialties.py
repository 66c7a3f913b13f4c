"""Every specialty of the Match (issue 16, part 3): NRMP's and ACGME's spellings, the track a name or
an NRMP program code carries, the specialty an ACGME program id's first three digits name, and a
specialty the catalogue can't place kept as Other with the file's text beside it."""

from pathlib import Path

import pytest

from test_imports import counts_in, import_file, programs
from tracker import fields
from tracker.rules import COMPETITIVENESS, Rules


def csv_of(rows) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode()


NRMP = [  # as NRMP's program lists write them
    ["Program Name", "Program Code", "Specialty", "City", "State"],
    ["Gary IM", "1903140C0", "Medicine", "Gary", "IN"],
    ["Gary IM Prelim", "1903140P0", "Medicine-Preliminary", "Gary", "IN"],
    ["Gary Surgery Prelim", "1903440P0", "Surgery-Preliminary", "Gary", "IN"],
    ["Gary Radiology", "1903420A0", "Radiology-Diagnostic", "Gary", "IN"],
    ["Gary OB", "1903220C0", "Obstetrics and Gynecology", "Gary", "IN"],
    ["Gary Peds Primary", "1903320M0", "Pediatrics-Primary", "Gary", "IN"],
    ["Gary Reserved", "1903140R0", "Internal Medicine - Reserved (Physician)", "Gary", "IN"],
    ["Gary EM-IM", "1903000C0", "Emergency Medicine-Internal Medicine", "Gary", "IN"],
    ["Gary Sleep", "1903999C0", "Sleep Medicine (Pediatric)", "Gary", "IN"],
]


def test_nrmp_specialty_names_and_tracks_are_read(app, client):
    preview, _ = import_file(client, Path("nrmp.csv"), data=csv_of(NRMP), apply={})
    assert counts_in(preview)["new"] == 9 and counts_in(preview)["can't be imported"] == 0
    got = {p.name: (p.specialty, p.track, p.specialty_text) for p in programs(app)}
    assert got == {
        "Gary IM": ("internal_medicine", "categorical", None),
        "Gary IM Prelim": ("internal_medicine", "preliminary", None),
        "Gary Surgery Prelim": ("general_surgery", "preliminary", None),
        "Gary Radiology": ("diagnostic_radiology", "advanced", None),  # the code's A
        "Gary OB": ("obgyn", "categorical", None),
        "Gary Peds Primary": ("pediatrics", "primary_care", None),
        "Gary Reserved": ("internal_medicine", "reserved", None),  # a Reserved track is accepted
        "Gary EM-IM": ("em_im", "categorical", None),
        # never dropped: Other, with the file's own words beside it
        "Gary Sleep": ("other", "categorical", "Sleep Medicine (Pediatric)"),
    }


def test_an_nrmp_code_alone_gives_specialty_and_track(app, client):
    rows = [["Program", "NRMP Code", "City", "State"],
            ["A", "1903140C0", "Gary", "IN"], ["B", "1903140P0", "Gary", "IN"],
            ["C", "2001120C0", "Reno", "NV"], ["D", "2001320C0", "Reno", "NV"],
            ["E", "2001700C0", "Reno", "NV"], ["F", "2001440P0", "Reno", "NV"],
            ["G", "2001040A0", "Reno", "NV"], ["H", "2001123C0", "Reno", "NV"]]
    import_file(client, Path("codes.csv"), data=csv_of(rows), apply={})
    got = {p.name: (p.specialty, p.track) for p in programs(app)}
    assert got == {"A": ("internal_medicine", "categorical"), "B": ("internal_medicine", "preliminary"),
                   "C": ("family_medicine", "categorical"), "D": ("pediatrics", "categorical"),
                   "E": ("med_peds", "categorical"), "F": ("general_surgery", "preliminary"),
                   "G": ("anesthesiology", "advanced"),
                   "H": (None, "categorical")}  # a specialty code not in the table is not guessed


def test_an_acgme_program_id_gives_the_specialty(app, client):
    rows = [["Program name", "ACGME ID", "City", "State"],
            ["One", "1403621114", "Gary", "IN"], ["Two", "1201100222", "Gary", "IN"],
            ["Three", "0401100333", "Gary", "IN"], ["Four", "4201100444", "Gary", "IN"],
            ["Five", "1851100555", "Gary", "IN"], ["Six", "9991100666", "Gary", "IN"],
            ["Seven", "2201100777", "Gary", "IN"], ["Eight", "8881100888", "Gary", "IN"]]
    import_file(client, Path("acgme.csv"), data=csv_of(rows), apply={})
    got = {p.name: p.specialty for p in programs(app)}
    assert got == {"One": "internal_medicine", "Two": "family_medicine", "Three": "anesthesiology",
                   "Four": "diagnostic_radiology", "Five": "child_neurology", "Six": "transitional_year",
                   "Seven": "obgyn", "Eight": None}


def test_the_file_s_specialty_wins_over_the_code(app, client):
    rows = [["Program name", "ACGME ID", "Specialty", "City", "State"],
            ["Combined", "1401100111", "Internal Medicine-Psychiatry", "Gary", "IN"]]
    import_file(client, Path("both.csv"), data=csv_of(rows), apply={})
    (program,) = programs(app)
    assert program.specialty == "im_psychiatry"


def test_an_unknown_specialty_is_other_with_its_text_and_shown_in_the_grid(app, client):
    rows = [["Program name", "Specialty", "City", "State"], ["Odd", "Undersea and Hyperbaric Medicine", "Gary", "IN"]]
    import_file(client, Path("odd.csv"), data=csv_of(rows), apply={})
    (program,) = programs(app)
    assert (program.specialty, program.specialty_text) == ("other", "Undersea and Hyperbaric Medicine")
    grid = client.get("/?col=all").get_data(as_text=True)
    assert "Undersea and Hyperbaric Medicine" in grid


@pytest.mark.parametrize("spelling, value", [
    ("Anesthesiology", "anesthesiology"), ("Dermatology", "dermatology"),
    ("Diagnostic Radiology", "diagnostic_radiology"), ("Emergency Medicine", "emergency_medicine"),
    ("Family Medicine", "family_medicine"), ("General Surgery", "general_surgery"),
    ("Internal Medicine", "internal_medicine"), ("Medicine-Pediatrics", "med_peds"), ("Neurology", "neurology"),
    ("Obstetrics and Gynecology", "obgyn"), ("Orthopaedic Surgery", "orthopaedic_surgery"),
    ("Otolaryngology", "otolaryngology"), ("Pathology", "pathology"), ("Pediatrics", "pediatrics"),
    ("Physical Medicine and Rehabilitation", "pmr"), ("Plastic Surgery (Integrated)", "plastic_surgery"),
    ("Psychiatry", "psychiatry"), ("Radiation Oncology", "radiation_oncology"), ("Urology", "urology"),
    ("Neurological Surgery", "neurological_surgery"), ("Ophthalmology", "ophthalmology"),
    ("Interventional Radiology", "interventional_radiology"), ("Transitional Year", "transitional_year"),
    ("Child Neurology", "child_neurology"), ("Vascular Surgery", "vascular_surgery"),
    ("Thoracic Surgery", "thoracic_surgery"), ("Emergency Medicine-Internal Medicine", "em_im"),
    ("Internal Medicine-Psychiatry", "im_psychiatry"), ("Family Medicine-Psychiatry", "fm_psychiatry"),
    ("Pediatrics/Psychiatry/Child and Adolescent Psychiatry", "triple_board"),
])
def test_the_match_s_specialties_are_in_the_catalogue(spelling, value):
    assert fields.get("specialty").parse(spelling) == value


def test_every_specialty_has_a_competitiveness_level():
    rules = Rules()
    older = {"nuclear_medicine", "medical_genetics", "preventive_medicine", "med_peds", "other"}  # neither, as before
    for choice in fields.SPECIALTIES:
        if choice.value not in older:
            assert rules.competitiveness(choice.value) in COMPETITIVENESS, choice.value
    assert rules.competitiveness("em_im") == "more_competitive"  # as the more competitive of its two parts
    assert rules.competitiveness("im_psychiatry") == "realistic"
