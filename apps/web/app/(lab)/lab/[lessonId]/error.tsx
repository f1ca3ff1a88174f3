"use client";

// Same boundary as the (lab) group; this one keeps the lesson layout around the message.
export { default } from "../../error";
