//! `kawaraban survey` and `kawaraban giveaway` as operators use them: clear
//! errors naming the file, line or flag, changes in the audit log, and a
//! draw made and checked from the command line.

use std::path::Path;

mod common;

use common::*;

fn site(data: &Path) {
    let out = kawaraban(
        data,
        &[
            "site",
            "add",
            "news",
            "--name",
            "Daily",
            "--url",
            "http://news.localhost:8080",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn surveys_are_created_from_yaml_with_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "title: Reader survey\nquestions:\n  - id: 1\n    kind: slider\n    prompt: How?\n",
    )
    .unwrap();
    let out = kawaraban(
        dir.path(),
        &[
            "survey",
            "create",
            bad.to_str().unwrap(),
            "--slug",
            "readers",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("bad.yaml: line 4"), "{err}");
    let good = dir.path().join("survey.yaml");
    std::fs::write(
        &good,
        "title: Reader survey\nquestions:\n  - {id: 1, kind: rating, prompt: How are we doing?, required: true}\n  - {id: 2, kind: long_text, prompt: Anything else?}\n",
    )
    .unwrap();
    let out = kawaraban(
        dir.path(),
        &[
            "survey",
            "create",
            good.to_str().unwrap(),
            "--slug",
            "readers",
            "--public",
            "9",
        ],
    );
    assert!(
        text(&out.stderr).contains("--public: "),
        "{}",
        text(&out.stderr)
    );
    let out = kawaraban(
        dir.path(),
        &[
            "survey",
            "create",
            good.to_str().unwrap(),
            "--slug",
            "readers",
            "--sites",
            "news",
            "--share",
            "20",
            "--open",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created and open: /surveys/readers"));
    let again = kawaraban(
        dir.path(),
        &[
            "survey",
            "create",
            good.to_str().unwrap(),
            "--slug",
            "readers",
        ],
    );
    assert!(
        text(&again.stderr).contains("--slug: \"readers\" is taken"),
        "{}",
        text(&again.stderr)
    );
    let list = text(&kawaraban(dir.path(), &["survey", "list"]).stdout);
    assert!(
        list.contains("readers\topen\t0 responses\tReader survey"),
        "{list}"
    );
    let results = text(&kawaraban(dir.path(), &["survey", "results", "readers"]).stdout);
    assert!(
        results.contains("1. How are we doing? (0 answered)"),
        "{results}"
    );
    let csv = text(
        &kawaraban(
            dir.path(),
            &["survey", "results", "readers", "--csv", "responses"],
        )
        .stdout,
    );
    assert!(
        csv.starts_with("response,time (UTC),site,member,flagged,excluded,How are we doing? (1)"),
        "{csv}"
    );
    let out = kawaraban(
        dir.path(),
        &["survey", "results", "readers", "--csv", "pdf"],
    );
    assert!(text(&out.stderr).contains("--csv: \"pdf\" is not responses or summary"));
    assert!(kawaraban(dir.path(), &["survey", "close", "readers"])
        .status
        .success());
    assert!(
        text(&kawaraban(dir.path(), &["survey", "close", "nope"]).stderr)
            .contains("there is no survey \"nope\"")
    );
    let out = kawaraban(dir.path(), &["survey", "rest-days", "21"]);
    assert!(text(&out.stdout).contains("readers rest 21 days between surveys"));
}

#[test]
fn a_giveaway_is_made_drawn_and_refused_a_second_draw_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let out = kawaraban(
        dir.path(),
        &[
            "giveaway",
            "create",
            "--slug",
            "g",
            "--title",
            "T",
            "--sponsor",
            "S",
            "--opens",
            "tomorrow",
            "--closes",
            "x",
        ],
    );
    assert!(
        text(&out.stderr).contains("--opens: \"tomorrow\" is not a time"),
        "{}",
        text(&out.stderr)
    );
    let out = kawaraban(
        dir.path(),
        &[
            "giveaway",
            "create",
            "--slug",
            "g",
            "--title",
            "T",
            "--sponsor",
            "S",
            "--opens",
            "2026-01-02T00:00:00Z",
            "--closes",
            "2026-01-01T00:00:00Z",
        ],
    );
    assert!(text(&out.stderr).contains("--closes: the giveaway must close after it opens"));
    let out = kawaraban(
        dir.path(),
        &[
            "giveaway",
            "create",
            "--slug",
            "g",
            "--title",
            "Rail pass",
            "--sponsor",
            "Kestrel Rail",
            "--winners",
            "2",
            "--opens",
            "2026-01-01T00:00:00Z",
            "--closes",
            "2026-01-08T00:00:00Z",
            "--publish",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("commitment "));
    // The sponsor's logo: a file that is no image is refused by name.
    let junk = dir.path().join("logo.txt");
    std::fs::write(&junk, "not an image").unwrap();
    let out = kawaraban(
        dir.path(),
        &["giveaway", "logo", "g", junk.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("logo.txt: not a JPEG, PNG or WebP image"),
        "{}",
        text(&out.stderr)
    );
    let png = dir.path().join("logo.png");
    image::RgbImage::from_pixel(200, 60, image::Rgb([19, 42, 74]))
        .save(&png)
        .unwrap();
    let out = kawaraban(
        dir.path(),
        &["giveaway", "logo", "g", png.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    let path = said.trim().strip_prefix("g: logo /media/").expect(&said);
    let file = dir.path().join("media").join(&path[..2]).join(path);
    assert!(file.exists(), "{}", file.display());
    let domains = dir.path().join("domains.txt");
    std::fs::write(&domains, "throwaway.example\nnot a domain\n").unwrap();
    let out = kawaraban(
        dir.path(),
        &["giveaway", "domains", domains.to_str().unwrap()],
    );
    assert!(
        text(&out.stderr).contains("domains.txt: line 2"),
        "{}",
        text(&out.stderr)
    );
    // Nobody entered: the draw is made over an empty list, once.
    let out = kawaraban(dir.path(), &["giveaway", "draw", "g"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("drawn over 0 tickets"));
    let out = kawaraban(dir.path(), &["giveaway", "draw", "g"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("drawn already"),
        "{}",
        text(&out.stderr)
    );
    let out = kawaraban(
        dir.path(),
        &[
            "giveaway",
            "beacon",
            "--url",
            "https://api.drand.sh",
            "--chain",
            "nochain",
        ],
    );
    assert!(text(&out.stderr).contains("--chain: \"nochain\""));
    let out = kawaraban(
        dir.path(),
        &["giveaway", "verify", "http://127.0.0.1:1/giveaways/g"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot fetch http://127.0.0.1:1/giveaways/g/draw.json"),
        "{}",
        text(&out.stderr)
    );
}
