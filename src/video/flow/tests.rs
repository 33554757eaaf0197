use super::*;
use crate::npz::npy_header_bytes;

fn write_flo(path: &Path, h: usize, w: usize, uv: &[f32]) {
    let mut bytes = Vec::new();
    bytes.extend(202_021.25f32.to_le_bytes());
    bytes.extend((w as i32).to_le_bytes());
    bytes.extend((h as i32).to_le_bytes());
    for v in uv {
        bytes.extend(v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

fn write_npy(path: &Path, shape: &[usize], values: &[f32]) {
    let mut bytes = npy_header_bytes("<f4", shape);
    for v in values {
        bytes.extend(v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

/// Field `f` of a T×2×3 video: u = f, v = −pixel index.
fn field(f: usize) -> Vec<f32> {
    (0..6).flat_map(|p| [f as f32, -(p as f32)]).collect()
}

fn frames_dir(dir: &Path, n: usize) -> VideoSource {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        image::RgbImage::new(3, 2)
            .save(dir.join(format!("{i:05}.png")))
            .unwrap();
    }
    VideoSource::open(dir).unwrap()
}

#[test]
fn flo_files_read_and_damaged_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.flo");
    write_flo(&p, 2, 3, &field(4));
    assert_eq!(
        read::read_flo(&p).unwrap(),
        FlowFrame::Field {
            h: 2,
            w: 3,
            uv: field(4)
        }
    );
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..30]).unwrap();
    assert!(
        read::read_flo(&p)
            .unwrap_err()
            .to_string()
            .contains("cut short")
    );
    std::fs::write(&p, b"not a flo file at all").unwrap();
    assert!(read::read_flo(&p).unwrap_err().to_string().contains("PIEH"));
    let mut nan = field(0);
    nan[5] = f32::NAN;
    write_flo(&p, 2, 3, &nan);
    assert!(
        read::read_flo(&p)
            .unwrap_err()
            .to_string()
            .contains("value 5")
    );
}

#[test]
fn a_video_finds_its_flow_beside_it_and_frames_take_the_flow_they_start() {
    let dir = tempfile::tempdir().unwrap();
    let video = frames_dir(&dir.path().join("walk"), 4);
    assert_eq!(FlowSource::find(&video).unwrap(), None);
    // walk.flow.npy: 3 fields for 4 frames (the last frame repeats flow 2)
    let values: Vec<f32> = (0..3).flat_map(field).collect();
    write_npy(&dir.path().join("walk.flow.npy"), &[3, 2, 3, 2], &values);
    let flow = FlowSource::find(&video).unwrap().unwrap();
    assert_eq!(flow.len(), 3);
    flow.check_covers(video.path(), 4).unwrap();
    let e = flow.check_covers(video.path(), 5).unwrap_err().to_string();
    assert!(
        e.contains("has 3 flow frames") && e.contains("at least 4"),
        "{e}"
    );
    let read = flow.read(&[3, 0, 2]).unwrap();
    let u = |f: &FlowFrame| match f {
        FlowFrame::Field { uv, .. } => uv[0],
        FlowFrame::Image(_) => panic!("a field"),
    };
    assert_eq!(read.iter().map(u).collect::<Vec<_>>(), [2.0, 0.0, 2.0]);
}

#[test]
fn flow_folders_of_each_kind_and_the_davis_layout() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("DAVIS");
    let video = frames_dir(&root.join("JPEGImages/480p/bear"), 3);
    let flow_dir = root.join("FlowImages_gap1/bear");
    std::fs::create_dir_all(&flow_dir).unwrap();
    for i in 0..2 {
        let mut img = image::RgbImage::new(3, 2);
        img.put_pixel(0, 0, image::Rgb([i as u8, 7, 9]));
        img.save(flow_dir.join(format!("{i:05}.png"))).unwrap();
    }
    let flow = FlowSource::find(&video).unwrap().unwrap();
    assert!(flow.is_images() && flow.len() == 2);
    let read = flow.read(&[2]).unwrap();
    assert_eq!(read[0].to_color().get_pixel(0, 0).0, [1, 7, 9]);
    // a sidecar folder of .flo files wins over the DAVIS folder
    let side = root.join("JPEGImages/480p/bear.flow");
    std::fs::create_dir_all(&side).unwrap();
    for i in 0..3 {
        write_flo(&side.join(format!("{i}.flo")), 2, 3, &field(i));
    }
    let flow = FlowSource::find(&video).unwrap().unwrap();
    assert_eq!(flow.path(), side);
    assert!(!flow.is_images());
    // a folder mixing kinds is refused
    image::RgbImage::new(3, 2).save(side.join("3.png")).unwrap();
    let e = FlowSource::find(&video).unwrap_err().to_string();
    assert!(e.contains("mixes kinds"), "{e}");
}

#[test]
fn clip_arrays_take_their_clips_flow_from_one_array() {
    let dir = tempfile::tempdir().unwrap();
    let clips = dir.path().join("clips.npy");
    let mut bytes = npy_header_bytes("|u1", &[2, 3, 2, 3, 3]);
    bytes.extend(vec![0u8; 2 * 3 * 2 * 3 * 3]);
    std::fs::write(&clips, bytes).unwrap();
    let array = crate::video::ClipArray::open(&clips).unwrap();
    let second = VideoSource::Array { array, index: 1 };
    let values: Vec<f32> = (0..6).flat_map(field).collect();
    write_npy(
        &dir.path().join("clips.flow.npy"),
        &[2, 3, 2, 3, 2],
        &values,
    );
    let flow = FlowSource::find(&second).unwrap().unwrap();
    let read = flow.read(&[0]).unwrap();
    assert!(matches!(&read[0], FlowFrame::Field { uv, .. } if uv[0] == 3.0));
    // an array of another clip count is refused by name
    write_npy(
        &dir.path().join("clips.flow.npy"),
        &[1, 3, 2, 3, 2],
        &values[..36],
    );
    let e = FlowSource::find(&second).unwrap_err().to_string();
    assert!(e.contains("flow of 1 clips") && e.contains("has 2"), "{e}");
    // a cut-short array is refused before reading
    let mut short = npy_header_bytes("<f4", &[2, 3, 2, 3, 2]);
    short.extend([0u8; 10]);
    std::fs::write(dir.path().join("clips.flow.npy"), short).unwrap();
    let e = FlowSource::find(&second).unwrap_err().to_string();
    assert!(e.contains("cut short"), "{e}");
}
