"""stub"""
import argparse
def add_parser(subparsers):
    return subparsers.add_parser("stall")
def run(args):
    return 0
