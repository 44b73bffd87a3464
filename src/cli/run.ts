import {main} from "./main.js"; main(process.argv).catch(e=>{console.error("k8ts: "+e.message);process.exit(1)});
