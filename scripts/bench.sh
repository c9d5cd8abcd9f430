#!/usr/bin/env bash
echo "make bench: not written yet" >&2
exit 1
