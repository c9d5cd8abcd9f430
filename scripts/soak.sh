#!/usr/bin/env bash
echo "make soak: not written yet" >&2
exit 1
