#!/bin/sh
# Generate configure and Makefile.in (not committed), like iperf3's bootstrap.sh.
set -e
cd "$(dirname "$0")"
autoreconf -fi
