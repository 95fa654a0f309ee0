package schedule

// Schedule is what a schedule component builds: the learning rate at every
// optimizer step.
type Schedule interface {
	// LR is the learning rate of step (0-based) in a run of totalSteps
	// steps with stepsPerEpoch steps per epoch, for an optimizer whose peak
	// learning rate is peak.
	LR(peak float64, step, stepsPerEpoch, totalSteps int) float64
}
