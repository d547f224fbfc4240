#!/usr/bin/env node
import { exitWith, processIo } from '../process-io';
import { runTool } from '../program';

exitWith(runTool('glite-catalog-getlfn', process.argv.slice(2), processIo()));
