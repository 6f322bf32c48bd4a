"""The bundled content builds, with the counts the seeds are known to hold."""

from digest.commands.build import BuildReport
from digest.project import Project


def test_bundled_site_builds_with_expected_counts(built_site: tuple[Project, BuildReport]) -> None:
    project, report = built_site
    assert report.papers == 96
    assert report.snapshots == 2
    assert (project.output / "index.html").is_file()
