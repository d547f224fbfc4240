#!/usr/bin/env node
import { exitWith, processIo } from '../process-io';
import { runTool } from '../program';

exitWith(runTool('glite-catalog-rmreplica', process.argv.slice(2), processIo()));
