"""`tracker export` with the grid's filters, and the Summary sheet's numbers against the
dashboard's."""

import re

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Program

PROFILE = {
    "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "225", "step2_attempts": "1",
    "step3": "", "graduation_year": "2023", "season_year": "2027", "usce_months": "3",
    "target_specialties": ["internal_medicine", "psychiatry"],
}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "usce_required": "no", "setting": "county"}


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0


def names_in(path) -> list[str]:
    return [r[0].value for r in openpyxl.load_workbook(path)["Programs"].iter_rows(min_row=2)]


def test_export_filters_as_the_grid_does(app, runner, demo, tmp_path):
    out = tmp_path / "texas.xlsx"
    result = runner.invoke(args=["export", str(out), "--tier", "all", "--filter", "state=TX",
                                 "--filter", "specialty=Internal Medicine", "--filter", "specialty=pediatrics"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = sorted(db.session.scalars(sa.select(Program.name).where(
            Program.state == "TX", Program.specialty.in_(["internal_medicine", "pediatrics"]))))
    assert expected and sorted(names_in(out)) == expected
    assert f"Wrote {len(expected)} programs" in result.output

    status = tmp_path / "applied.csv"
    assert runner.invoke(args=["export", str(status), "--tier", "all", "--filter", "status=applied",
                               "--col", "status"]).exit_code == 0
    lines = status.read_text(encoding="utf-8").splitlines()[1:]
    assert lines and all(",Applied," in line for line in lines)


def test_export_unknown_keeps_the_programs_with_unknown_data(app, runner, demo, tmp_path):
    out = tmp_path / "unknown.xlsx"
    assert runner.invoke(args=["export", str(out), "--tier", "all", "--unknown"]).exit_code == 0
    with app.app_context():  # no profile: either visa unknown, or no IMG figures, or no setting
        expected = sorted(db.session.scalars(sa.select(Program.name).where(sa.or_(
            Program.visa_j1 == "unknown", Program.visa_h1b == "unknown",
            sa.and_(Program.img_percent.is_(None), Program.non_us_img_count.is_(None)),
            Program.setting.is_(None)))))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Program))
    assert expected and len(expected) < total
    assert sorted(names_in(out)) == expected


@pytest.mark.parametrize("given, message", [
    ("colour=red", "filter on one of tier_override, specialty"),
    ("status", "as KEY=VALUE (status=applied)"),
    ("status=maybe", "Status is one of researching, will_apply, applied"),
    ("notes=x", "filter on one of"),
])
def test_export_refuses_a_filter_the_catalogue_does_not_know(runner, demo, tmp_path, given, message):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export", str(out), "--filter", given])
    assert result.exit_code == 1
    assert f"--filter {given}: " in result.output and message in result.output
    assert not out.exists()


def test_the_summarys_on_the_list_is_the_dashboards_number(app, client, runner, make_program, tmp_path):
    assert client.post("/profile", data=PROFILE).status_code == 302
    for name, status in (("Toledo", "will_apply"), ("Bronx", "applied"), ("Peoria", "interview_invited"),
                         ("Lima", "researching"), ("Akron", "withdrawn")):
        make_program(name=f"{name} County IM", specialty="internal_medicine", status=status, **LIKELY)
    make_program(name="Flint County IM", specialty="internal_medicine", status="applied",
                 **{**LIKELY, "visa_j1": "no"})  # not eligible: off the list
    make_program(name="El Paso Psychiatry", specialty="psychiatry", status="applied", **LIKELY)

    page = client.get("/dashboard").get_data(as_text=True)
    row = re.search(r'<th scope="row">Internal Medicine</th>.*?<strong>(\d+)</strong>', page, re.DOTALL)
    dashboard = int(row.group(1))
    assert dashboard == 3

    out = tmp_path / "applied.xlsx"  # a filtered export: its rows are not the whole list
    assert runner.invoke(args=["export", str(out), "--filter", "status=applied"]).exit_code == 0
    lines = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    start = next(i for i, line in enumerate(lines) if line[:3] == (
        "Applications (the whole list): advised and now", "Advised", "On the list"))
    assert [line[:3] for line in lines[start + 1:start + 3]] == [("Internal Medicine", "80–120", dashboard),
                                                                 ("Psychiatry", "60–100", 1)]
    assert names_in(out) == ["Bronx County IM", "El Paso Psychiatry"]
