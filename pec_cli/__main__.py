import sys

try:
    from pec_cli.cli import run
except KeyboardInterrupt:  # Ctrl-C while pec is still being imported: one sentence too, as in run()
    sys.stderr.write("Error: Interrumpido; no se registró nada a medias.\n")
    sys.exit(130)

run()
