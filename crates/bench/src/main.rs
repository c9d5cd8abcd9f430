fn main() {
    eprintln!("switchboard-bench: not built yet");
    std::process::exit(1);
}
