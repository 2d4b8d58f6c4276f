"""The command's options and their bounds."""

import argparse
import os


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=30, help="seconds per run (default 30)")
    parser.add_argument("--bidders", type=int, default=50)
    parser.add_argument("--auctions", type=int, default=20, help="auctions of the spread run (default 20)")
    parser.add_argument("--rooms", type=int, nargs="+", default=[500], help="open rooms; several values: one run each")
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument(
        "--rooms-mode",
        choices=["events", "poll"],
        default="events",
        help="how the rooms follow the auction: server-sent events (default; needs BENCH_REDIS_URL) or polling",
    )
    parser.add_argument("--events-workers", type=int, default=2, help="gthread workers of the events server (2)")
    parser.add_argument("--events-threads", type=int, default=400, help="threads per events worker (400)")
    parser.add_argument("--flow-bidders", type=int, default=5, help="bidders offering while the rooms poll")
    parser.add_argument("--flow-pace", type=float, default=1.0, help="seconds between a flow bidder's offers")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads per gunicorn worker taking the offers: 0 (default) for gunicorn's sync workers, which close "
        "each connection; N for gthread workers of N threads, which keep connections alive (production runs 32)",
    )
    parser.add_argument("--processes", type=int, default=2, help="load-generator processes (default 2)")
    parser.add_argument("--port", type=int, default=8109)
    parser.add_argument("--rounds", type=int, default=3, help="turns the ceiling and HTTP runs take (default 3)")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["ceiling", "bare", "one", "many", "paced", "rooms", "lock"]
    )
    args = parser.parse_args()
    if not (5 <= args.duration <= 300 and 1 <= args.bidders <= 200 and 1 <= args.auctions <= 50):
        parser.error("keep --duration within 5..300 s, --bidders within 1..200 and --auctions within 1..50")
    if not (all(0 < r <= 1000 for r in args.rooms) and len(args.rooms) <= 5):
        parser.error("give at most 5 room counts, each within 1..1000")
    if not 1 <= args.rounds <= 10:
        parser.error("keep --rounds within 1..10")
    if not (args.poll_interval >= 0.1 and 1 <= args.processes <= 8 and args.flow_pace >= 0.1):
        parser.error("keep --poll-interval and --flow-pace >= 0.1 s and --processes within 1..8")

    if args.rooms_mode == "events" and "rooms" not in args.skip and not os.environ.get("BENCH_REDIS_URL"):
        parser.error(
            "--rooms-mode events needs BENCH_REDIS_URL: the web workers announce each offer to the events server's "
            "workers through Redis (or use --rooms-mode poll)"
        )
    if not (1 <= args.events_workers <= 8 and 10 < args.events_threads <= 1000):
        parser.error("keep --events-workers within 1..8 and --events-threads within 11..1000")
    return args
