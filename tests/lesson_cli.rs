//! `ganscope lesson`: slides written with an index listing every step; a bad lesson is
//! refused with a non-zero exit before anything is written.

use std::process::{Command, Output};

fn ganscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ganscope: {e}"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ganscope-lesson-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn slides_and_an_index_are_written_for_every_step() {
    let dir = scratch("slides");
    let out = ganscope(&[
        "lesson",
        "saturation",
        "--out",
        dir.to_str().unwrap_or_default(),
        "--seed",
        "2",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lesson =
        ganscope::sim::lesson::Lesson::named("saturation").unwrap_or_else(|e| panic!("{e}"));
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        index.contains(&lesson.title.replace('\'', "&#39;")) || index.contains("saturating loss")
    );
    for (i, step) in lesson.steps.iter().enumerate() {
        let n = i + 1;
        assert!(
            stdout.contains(&format!("step {n} ({})", step.title)),
            "{stdout}"
        );
        assert!(
            index.contains(&format!("Step {n}: {}", step.title)),
            "step {n} not in the index"
        );
        assert!(index.contains(&format!("step-{n:02}.png")));
        let png = std::fs::read(dir.join(format!("step-{n:02}.png"))).unwrap_or_default();
        assert!(png.starts_with(b"\x89PNG"), "step {n}: not a PNG");
        let svg = std::fs::read_to_string(dir.join(format!("step-{n:02}.svg"))).unwrap_or_default();
        assert!(
            svg.contains("<svg") && svg.contains(&step.title),
            "step {n}: the SVG lacks its title"
        );
    }
    // Existing slides are not replaced without --force.
    let again = ganscope(&[
        "lesson",
        "saturation",
        "--out",
        dir.to_str().unwrap_or_default(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_malformed_lesson_is_refused_before_anything_is_written() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "title = \"t\"\nsummary = \"s\"\n[[step]]\ntitle = \"First\"\ncaption = \"c\"\nuntil = \"steps=5\"\npace = \"glacial\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out_dir = dir.join("slides");
    let out = ganscope(&[
        "lesson",
        file.to_str().unwrap_or_default(),
        "--out",
        out_dir.to_str().unwrap_or_default(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lesson step 1 (\"First\"), key `pace`") && stderr.contains("slow-motion"),
        "{stderr}"
    );
    assert!(
        !out_dir.exists(),
        "a refused lesson wrote {}",
        out_dir.display()
    );
    let out = ganscope(&["lesson", "no-such-lesson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("figure1"));
    let out = ganscope(&["--lesson", file.to_str().unwrap_or_default()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the app is not opened on a bad lesson"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_list_names_every_built_in_lesson() {
    let out = ganscope(&["lesson", "--list"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (name, _) in ganscope::sim::lesson::BUILT_IN {
        assert!(stdout.contains(name), "{name} not listed: {stdout}");
    }
    let presets = String::from_utf8_lossy(&ganscope(&["presets"]).stdout).into_owned();
    assert!(presets.contains("Lesson: saturation"), "{presets}");
}
