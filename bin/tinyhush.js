#!/usr/bin/env node
// The tinyhush command line: see `tinyhush --help`.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
