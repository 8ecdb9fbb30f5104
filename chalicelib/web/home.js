import { initLayout } from './ui.js';

initLayout();
